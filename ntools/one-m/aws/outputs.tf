output "public_ip" {
  description = "The node's elastic IP: the Ansible inventory host, and http://IP:9984/ once the playbook has run"
  value       = aws_eip.node.public_ip
}

output "private_ip" {
  description = "The node's address inside its VPC: what the other servers of a cluster in the same VPC join"
  value       = aws_instance.node.private_ip
}

output "instance_id" {
  description = "The EC2 instance (named BigchainDB_node in the console)"
  value       = aws_instance.node.id
}

output "data_volume_id" {
  description = "The EBS volume that holds the RethinkDB data"
  value       = aws_ebs_volume.data.id
}

# Nitro instance types (t3, m5...) expose EBS volumes as NVMe devices whose
# /dev/nvmeXn1 numbering may change between boots; udev's by-id link, named
# after the volume id without its dash, never does. On older Xen types
# (t2, m4...) the device is /dev/xvdf instead.
locals {
  data_volume_device = "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${replace(aws_ebs_volume.data.id, "-", "")}"
}

output "data_volume_device" {
  description = "Stable device path of the data volume on a Nitro instance: the playbook's db_storage_device"
  value       = local.data_volume_device
}

output "ansible_inventory" {
  description = "A hosts file for ../ansible: terraform output -raw ansible_inventory > ../ansible/hosts"
  value       = "${aws_eip.node.public_ip} ansible_user=ubuntu db_storage_device=${local.data_volume_device}\n"
}
