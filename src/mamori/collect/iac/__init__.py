"""Infrastructure as code -> the collectors' typed resources (Terraform, plan JSON, CloudFormation)."""
