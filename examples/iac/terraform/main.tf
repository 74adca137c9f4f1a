# A small Terraform sample for `mamori gate iac examples/iac/terraform`: one bucket that
# passes the S3 rules, one that fails, and a queue whose encryption is unknown until a
# variable is given (`--var-file examples/iac/terraform/prod.tfvars`).

variable "queue_sse" {
  type = bool
}

resource "aws_s3_bucket" "good" {
  bucket = "acme-audit-logs"
}

resource "aws_s3_bucket_versioning" "good" {
  bucket = aws_s3_bucket.good.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "good" {
  bucket = aws_s3_bucket.good.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
  }
}

resource "aws_s3_bucket_logging" "good" {
  bucket        = aws_s3_bucket.good.id
  target_bucket = "acme-access-logs"
}

resource "aws_s3_bucket_policy" "good" {
  bucket = aws_s3_bucket.good.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = ["${aws_s3_bucket.good.arn}", "${aws_s3_bucket.good.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
}

# mamori:ignore s3_bucket_access_logging_off reason="scratch bucket, deleted nightly" expires=2099-12-31
resource "aws_s3_bucket" "scratch" {
  bucket = "acme-scratch"
}

resource "aws_security_group" "ssh" {
  name = "ssh-from-anywhere"
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_sqs_queue" "jobs" {
  name                    = "jobs"
  sqs_managed_sse_enabled = var.queue_sse
}
