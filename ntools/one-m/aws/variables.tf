# Most variables have a default; the ones without (ssh_key_name,
# admin_cidr_blocks) are asked for by `terraform plan/apply`, or can be set in
# a terraform.tfvars file or as TF_VAR_<name> environment variables.

variable "aws_region" {
  description = "AWS region of the node, e.g. eu-central-1"
  type        = string
  default     = "eu-central-1"

  validation {
    # A region, not an availability zone: "eu-central-1", never "eu-central-1a".
    condition     = can(regex("^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "The aws_region must be a region name such as eu-central-1 (not an availability zone)."
  }
}

variable "instance_type" {
  description = "EC2 instance type; RethinkDB wants 2 GB of RAM or more (manual 4.3.3)"
  type        = string
  default     = "t3.large"
}

variable "ssh_key_name" {
  description = "Name of an EC2 key pair already imported into aws_region (manual 13.9); its private key is what Ansible uses"
  type        = string
}

variable "pinned_amis" {
  description = "Optional AMI per region (region => ami-...), to pin the image instead of taking Canonical's newest Ubuntu 24.04 (see amis.tf)"
  type        = map(string)
  default     = {}

  validation {
    # The region pattern of aws_region again: before Terraform 1.9 a validation may only refer to its own variable.
    condition = alltrue([
      for region, ami in var.pinned_amis :
      can(regex("^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$", region)) && can(regex("^ami-[0-9a-f]{8}([0-9a-f]{9})?$", ami))
    ])
    error_message = "Every key of pinned_amis must be a region name and every value an AMI id (ami-xxxxxxxx or ami-xxxxxxxxxxxxxxxxx)."
  }
}

variable "root_volume_size" {
  description = "Size of the root volume in GiB: Ubuntu, Node.js, the BigchainDB build and the logs"
  type        = number
  default     = 20
}

variable "data_volume_size" {
  description = "Size of the RethinkDB data volume in GiB (mounted on /data by the Ansible playbook)"
  type        = number
  default     = 50
}

variable "data_volume_type" {
  description = "EBS volume type of the RethinkDB data volume"
  type        = string
  default     = "gp3"
}

variable "admin_cidr_blocks" {
  description = "Networks of the node's administrators (e.g. [\"198.51.100.7/32\"]): the only sources allowed on SSH and the RethinkDB web console"
  type        = list(string)

  validation {
    condition     = length(var.admin_cidr_blocks) > 0 && alltrue([for cidr in var.admin_cidr_blocks : can(cidrhost(cidr, 0))])
    error_message = "The admin_cidr_blocks must hold at least one IPv4 CIDR block, e.g. 198.51.100.7/32."
  }
}

variable "api_cidr_blocks" {
  description = "Networks allowed on the BigchainDB HTTP API (port 9984); narrow it to a reverse proxy's address in production (manual 13.10.10)"
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "cluster_cidr_blocks" {
  description = "Addresses of the other RethinkDB servers of the cluster (port 29015 both ways); empty for a one-machine node"
  type        = list(string)
  default     = []
}

variable "monitoring_cidr_blocks" {
  description = "Address of a cluster-monitoring server that receives StatsD over UDP 8125; empty when there is none"
  type        = list(string)
  default     = []
}

variable "termination_protection" {
  description = "Protect the instance against termination (the manual's BigchainDB_node has it); set false before `terraform destroy`"
  type        = bool
  default     = true
}
