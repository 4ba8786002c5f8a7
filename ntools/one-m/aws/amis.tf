# The image: Canonical's newest Ubuntu 24.04 LTS (noble) for amd64 in the
# chosen region, unless pinned_amis names one for that region.
#
# 0.8.2 kept a hand-written map of Ubuntu 14.04 AMI ids per region here. Such
# ids are per region, are replaced by Canonical with every refresh and could
# not be checked from where these files were written, so the map is now
# looked up from AWS itself; pinned_amis is the map for whoever wants the
# same image on every apply.
data "aws_ami" "ubuntu" {
  most_recent = true
  # Canonical's account: only images it published, never a look-alike.
  owners = ["099720109477"]

  filter {
    name   = "name"
    values = ["ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"]
  }

  filter {
    name   = "virtualization-type"
    values = ["hvm"]
  }
}

locals {
  ami_id = lookup(var.pinned_amis, var.aws_region, data.aws_ami.ubuntu.id)
}
