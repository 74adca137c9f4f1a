"""`mamori gate iac`: the live rule library on Terraform and CloudFormation, before they ship."""
