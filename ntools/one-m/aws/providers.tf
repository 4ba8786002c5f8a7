terraform {
  # Written for the 1.x language (and its compatibility promise); older cores are untested.
  required_version = ">= 1.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

# Credentials come from the usual AWS chain (~/.aws/credentials, AWS_PROFILE,
# AWS_ACCESS_KEY_ID...), so none is ever written into these files.
provider "aws" {
  region = var.aws_region

  # Every resource carries these, so the node's costs can be told apart in the bill.
  default_tags {
    tags = {
      Project  = "BigchainDB"
      Template = "ntools/one-m"
    }
  }
}
