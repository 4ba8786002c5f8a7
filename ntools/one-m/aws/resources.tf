# One Ubuntu machine for a one-machine BigchainDB node (BigchainDB Server and
# RethinkDB together), its firewall, a fixed public address and a separate
# EBS volume for the RethinkDB data (manual 3.1 and 4.4.4).

resource "aws_instance" "node" {
  ami                    = local.ami_id
  instance_type          = var.instance_type
  key_name               = var.ssh_key_name
  vpc_security_group_ids = [aws_security_group.node.id]

  # Termination protection, as the manual's node had: a stray `terraform destroy`
  # or console click must not take the node's keypair and data with it.
  disable_api_termination = var.termination_protection

  root_block_device {
    volume_size = var.root_volume_size
    volume_type = "gp3"
    encrypted   = true
  }

  # IMDSv2 only: the instance metadata (and any role credentials) cannot be
  # read through a request forgery in software running on the node.
  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required"
  }

  tags = {
    Name = "BigchainDB_node"
  }

  lifecycle {
    # Canonical publishes a newer image every few weeks; without this each one
    # would make `terraform apply` replace the running node.
    ignore_changes = [ami]
  }
}

# A fixed public address: it is what goes into the Ansible inventory, the
# clients' configuration and the other nodes' join= lines, so it must survive
# a stop and start of the instance.
resource "aws_eip" "node" {
  domain   = "vpc"
  instance = aws_instance.node.id

  tags = {
    Name = "BigchainDB_node"
  }
}

# RethinkDB's storage, separate from the root volume so it can be sized,
# snapshotted and grown on its own (manual 4.4.4). Created empty: the Ansible
# role db_storage formats it with ext4, which supports direct I/O.
resource "aws_ebs_volume" "data" {
  availability_zone = aws_instance.node.availability_zone
  size              = var.data_volume_size
  type              = var.data_volume_type
  encrypted         = true

  tags = {
    Name = "BigchainDB_node_rethinkdb_data"
  }
}

resource "aws_volume_attachment" "data" {
  # On Nitro instance types the volume shows up as an NVMe device instead;
  # outputs.tf gives its stable /dev/disk/by-id path.
  device_name = "/dev/sdf"
  volume_id   = aws_ebs_volume.data.id
  instance_id = aws_instance.node.id

  # A mounted volume cannot be detached while the instance runs, which is what
  # made `terraform destroy` fail in the manual (3.1.4); stopping it first lets
  # the detach go through.
  stop_instance_before_detaching = true
}

# The firewall. Its rules are separate resources, one per CIDR block, as the
# AWS provider v5 recommends over inline ingress/egress blocks.
resource "aws_security_group" "node" {
  name_prefix = "BigchainDB_"
  description = "One-machine BigchainDB node (ntools/one-m)"

  tags = {
    Name = "BigchainDB_one-m"
  }

  lifecycle {
    # name_prefix changes force a new group; make it before dropping the old one
    # so the instance is never left without a group.
    create_before_destroy = true
  }
}

locals {
  # Every port the node needs, and why (manual 13.10). Only three ports expect
  # unsolicited inbound traffic (22, 9984, 29015), plus the RethinkDB web
  # console for the administrators only; everything else is traffic the node
  # starts itself, and security groups let the replies back in.
  # Never opened inbound: 28015, the RethinkDB driver port (on a one-machine
  # node BigchainDB reaches RethinkDB over localhost, 13.10.11); 161, for an
  # SNMP agent this template does not install (13.10.6); 8125, which the
  # monitoring server listens on, not the node (13.10.14).
  # AWS takes only letters, digits, spaces and ._-:/()#,@[]+=&;{}!$* in rule
  # descriptions (no apostrophe).
  firewall_rules = {
    ingress = {
      ssh               = { port = 22, protocol = "tcp", cidr_blocks = var.admin_cidr_blocks, description = "SSH from the node administrators (13.10.2)" }
      rethinkdb_web     = { port = 8080, protocol = "tcp", cidr_blocks = var.admin_cidr_blocks, description = "RethinkDB web console, administrators only, never arbitrary sources (13.10.9)" }
      bigchaindb_api    = { port = 9984, protocol = "tcp", cidr_blocks = var.api_cidr_blocks, description = "BigchainDB HTTP API for clients (13.10.10)" }
      rethinkdb_cluster = { port = 29015, protocol = "tcp", cidr_blocks = var.cluster_cidr_blocks, description = "RethinkDB intracluster connections from the other servers (13.10.12)" }
    }
    egress = {
      dns               = { port = 53, protocol = "udp", cidr_blocks = ["0.0.0.0/0"], description = "DNS lookups of package sources and NTP servers (13.10.3)" }
      http              = { port = 80, protocol = "tcp", cidr_blocks = ["0.0.0.0/0"], description = "Ubuntu package archives (13.10.4)" }
      ntp               = { port = 123, protocol = "udp", cidr_blocks = ["0.0.0.0/0"], description = "NTP: the clock stamps blocks and votes (13.10.5, 4.4.3)" }
      https             = { port = 443, protocol = "tcp", cidr_blocks = ["0.0.0.0/0"], description = "RethinkDB and NodeSource apt repositories, npm registry, git (13.10.7)" }
      rethinkdb_cluster = { port = 29015, protocol = "tcp", cidr_blocks = var.cluster_cidr_blocks, description = "RethinkDB intracluster connections to the other servers (13.10.12)" }
      statsd            = { port = 8125, protocol = "udp", cidr_blocks = var.monitoring_cidr_blocks, description = "StatsD metrics to Telegraf on the cluster-monitoring server (13.10.8)" }
    }
  }

  # One rule per CIDR block, keyed "name cidr" so that adding or removing a
  # block leaves the other rules alone; an empty list makes no rule.
  firewall = {
    for direction, rules in local.firewall_rules : direction => merge([
      for name, rule in rules : {
        for cidr in rule.cidr_blocks : "${name} ${cidr}" => {
          port        = rule.port
          protocol    = rule.protocol
          description = rule.description
          cidr        = cidr
        }
      }
    ]...)
  }
}

# Two resources alike but for their type, which Terraform cannot take from a
# value; the one type that takes a direction (aws_security_group_rule) is the
# one the AWS provider v5 advises against.
resource "aws_vpc_security_group_ingress_rule" "node" {
  for_each          = local.firewall.ingress
  security_group_id = aws_security_group.node.id
  description       = each.value.description
  cidr_ipv4         = each.value.cidr
  ip_protocol       = each.value.protocol
  from_port         = each.value.port
  to_port           = each.value.port
}

resource "aws_vpc_security_group_egress_rule" "node" {
  for_each          = local.firewall.egress
  security_group_id = aws_security_group.node.id
  description       = each.value.description
  cidr_ipv4         = each.value.cidr
  ip_protocol       = each.value.protocol
  from_port         = each.value.port
  to_port           = each.value.port
}
