# The default network ACL is managed with no rules: a subnet left on it passes no traffic.
# (ingress/egress are blocks on this resource; with none written, Terraform removes
# every rule AWS created, and the plan shows ingress = [] and egress = [].)
resource "aws_default_network_acl" "this" {
  default_network_acl_id = aws_vpc.this.default_network_acl_id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-default"
  })

  lifecycle {
    # AWS moves subnets here when their own association goes away; every subnet of
    # this module is associated with its tier's ACL below.
    ignore_changes = [subnet_ids]
  }
}

# Tier web: one ACL for its subnets. Rules are stateless: each flow has a
# forward leg and a return leg on ephemeral ports 1024-65535. Rules below 15100 name
# tiers (one rule per tier: its reserved block or its CIDRs' aggregates) and named
# networks; from 15100 on, the VPC and named networks are denied before the
# 0.0.0.0/0 allows, so those admit the internet only (first match wins). A rule's
# number comes from its flow's id alone: other flows' edits never renumber it.
resource "aws_network_acl" "web" {
  #checkov:skip=CKV2_AWS_1:Attached by aws_network_acl_association resources (one per subnet, so a new AZ never updates this ACL); checkov does not follow them.
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-web"
    Tier = "web"
  })
}

resource "aws_network_acl_association" "web_a" {
  network_acl_id = aws_network_acl.web.id
  subnet_id      = aws_subnet.web_a.id
}

resource "aws_network_acl_association" "web_b" {
  network_acl_id = aws_network_acl.web.id
  subnet_id      = aws_subnet.web_b.id
}

resource "aws_network_acl_association" "web_c" {
  network_acl_id = aws_network_acl.web.id
  subnet_id      = aws_subnet.web_c.id
}

# flow mgmt_to_web_tcp: mgmt to web tcp 22
resource "aws_network_acl_rule" "web_in_1260" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 1260
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.30.0/25"
  from_port      = 22
  to_port        = 22
}

# flow mgmt_to_web_tcp: mgmt to web tcp 22
resource "aws_network_acl_rule" "web_in_1261" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 1261
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.30.128/26"
  from_port      = 22
  to_port        = 22
}

# flow web_to_app_tcp return: app to web tcp 1024-65535
resource "aws_network_acl_rule" "web_in_7320" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 7320
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.10.0/23"
  from_port      = 1024
  to_port        = 65535
}

# flow web_to_app_tcp return: app to web tcp 1024-65535
resource "aws_network_acl_rule" "web_in_7321" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 7321
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.12.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow app_to_internet_tcp via NAT: app to internet tcp 443
resource "aws_network_acl_rule" "web_in_13700" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 13700
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.10.0/23"
  from_port      = 443
  to_port        = 443
}

# flow app_to_internet_tcp via NAT: app to internet tcp 443
resource "aws_network_acl_rule" "web_in_13701" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 13701
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.12.0/24"
  from_port      = 443
  to_port        = 443
}

# deny: internet rules below exclude the VPC and named networks
resource "aws_network_acl_rule" "web_in_15100" {
  #checkov:skip=CKV_AWS_352:This rule denies all traffic from the VPC or a named network (rule_action = deny); checkov does not read rule_action.
  network_acl_id = aws_network_acl.web.id
  rule_number    = 15100
  egress         = false
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "10.40.0.0/16"
}

# deny: internet rules below exclude the VPC and named networks
resource "aws_network_acl_rule" "web_in_15110" {
  #checkov:skip=CKV_AWS_352:This rule denies all traffic from the VPC or a named network (rule_action = deny); checkov does not read rule_action.
  network_acl_id = aws_network_acl.web.id
  rule_number    = 15110
  egress         = false
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "192.168.0.0/16"
}

# flow internet_to_web_tcp: internet to web tcp 443
resource "aws_network_acl_rule" "web_in_20390" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 20390
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 443
  to_port        = 443
}

# flow app_to_internet_tcp via NAT return: internet to app tcp 1024-65535
resource "aws_network_acl_rule" "web_in_29700" {
  #checkov:skip=CKV_AWS_231:Return leg of flow app_to_internet_tcp: a stateless ACL must admit replies on ephemeral ports from the internet; the tier's security group admits no inbound connections on them.
  network_acl_id = aws_network_acl.web.id
  rule_number    = 29700
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 1024
  to_port        = 65535
}

# flow mgmt_to_web_tcp return: web to mgmt tcp 1024-65535
resource "aws_network_acl_rule" "web_out_1260" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 1260
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.30.0/25"
  from_port      = 1024
  to_port        = 65535
}

# flow mgmt_to_web_tcp return: web to mgmt tcp 1024-65535
resource "aws_network_acl_rule" "web_out_1261" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 1261
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.30.128/26"
  from_port      = 1024
  to_port        = 65535
}

# flow web_to_app_tcp: web to app tcp 8443
resource "aws_network_acl_rule" "web_out_7320" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 7320
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.10.0/23"
  from_port      = 8443
  to_port        = 8443
}

# flow web_to_app_tcp: web to app tcp 8443
resource "aws_network_acl_rule" "web_out_7321" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 7321
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.12.0/24"
  from_port      = 8443
  to_port        = 8443
}

# flow app_to_internet_tcp via NAT return: internet to app tcp 1024-65535
resource "aws_network_acl_rule" "web_out_13700" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 13700
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.10.0/23"
  from_port      = 1024
  to_port        = 65535
}

# flow app_to_internet_tcp via NAT return: internet to app tcp 1024-65535
resource "aws_network_acl_rule" "web_out_13701" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 13701
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.12.0/24"
  from_port      = 1024
  to_port        = 65535
}

# deny: internet rules below exclude the VPC and named networks
resource "aws_network_acl_rule" "web_out_15100" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 15100
  egress         = true
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "10.40.0.0/16"
}

# deny: internet rules below exclude the VPC and named networks
resource "aws_network_acl_rule" "web_out_15110" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 15110
  egress         = true
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "192.168.0.0/16"
}

# flow internet_to_web_tcp return: web to internet tcp 1024-65535
resource "aws_network_acl_rule" "web_out_20390" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 20390
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 1024
  to_port        = 65535
}

# flow app_to_internet_tcp via NAT: app to internet tcp 443
resource "aws_network_acl_rule" "web_out_29700" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 29700
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 443
  to_port        = 443
}

# Tier app: one ACL for its subnets. Rules are stateless: each flow has a
# forward leg and a return leg on ephemeral ports 1024-65535. Rules below 15100 name
# tiers (one rule per tier: its reserved block or its CIDRs' aggregates) and named
# networks; from 15100 on, the VPC and named networks are denied before the
# 0.0.0.0/0 allows, so those admit the internet only (first match wins). A rule's
# number comes from its flow's id alone: other flows' edits never renumber it.
resource "aws_network_acl" "app" {
  #checkov:skip=CKV2_AWS_1:Attached by aws_network_acl_association resources (one per subnet, so a new AZ never updates this ACL); checkov does not follow them.
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-app"
    Tier = "app"
  })
}

resource "aws_network_acl_association" "app_a" {
  network_acl_id = aws_network_acl.app.id
  subnet_id      = aws_subnet.app_a.id
}

resource "aws_network_acl_association" "app_b" {
  network_acl_id = aws_network_acl.app.id
  subnet_id      = aws_subnet.app_b.id
}

resource "aws_network_acl_association" "app_c" {
  network_acl_id = aws_network_acl.app.id
  subnet_id      = aws_subnet.app_c.id
}

# flow app_to_db_tcp return: db to app tcp 1024-65535
resource "aws_network_acl_rule" "app_in_3800" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 3800
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.20.0/23"
  from_port      = 1024
  to_port        = 65535
}

# flow app_to_db_tcp return: db to app tcp 1024-65535
resource "aws_network_acl_rule" "app_in_3801" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 3801
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.22.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow mgmt_to_app_tcp: mgmt to app tcp 22
resource "aws_network_acl_rule" "app_in_6200" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 6200
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.30.0/25"
  from_port      = 22
  to_port        = 22
}

# flow mgmt_to_app_tcp: mgmt to app tcp 22
resource "aws_network_acl_rule" "app_in_6201" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 6201
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.30.128/26"
  from_port      = 22
  to_port        = 22
}

# flow app_to_aws:kms_tcp return: aws:kms to app tcp 1024-65535
resource "aws_network_acl_rule" "app_in_7300" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 7300
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.40.0/27"
  from_port      = 1024
  to_port        = 65535
}

# flow app_to_aws:kms_tcp return: aws:kms to app tcp 1024-65535
resource "aws_network_acl_rule" "app_in_7301" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 7301
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.40.32/28"
  from_port      = 1024
  to_port        = 65535
}

# flow web_to_app_tcp: web to app tcp 8443
resource "aws_network_acl_rule" "app_in_7320" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 7320
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.0.0/23"
  from_port      = 8443
  to_port        = 8443
}

# flow web_to_app_tcp: web to app tcp 8443
resource "aws_network_acl_rule" "app_in_7321" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 7321
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.2.0/24"
  from_port      = 8443
  to_port        = 8443
}

# flow app_to_aws:ssm_tcp return: aws:ssm to app tcp 1024-65535
resource "aws_network_acl_rule" "app_in_9160" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 9160
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.40.0/27"
  from_port      = 1024
  to_port        = 65535
}

# flow app_to_aws:ssm_tcp return: aws:ssm to app tcp 1024-65535
resource "aws_network_acl_rule" "app_in_9161" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 9161
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.40.32/28"
  from_port      = 1024
  to_port        = 65535
}

# deny: internet rules below exclude the VPC and named networks
resource "aws_network_acl_rule" "app_in_15100" {
  #checkov:skip=CKV_AWS_352:This rule denies all traffic from the VPC or a named network (rule_action = deny); checkov does not read rule_action.
  network_acl_id = aws_network_acl.app.id
  rule_number    = 15100
  egress         = false
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "10.40.0.0/16"
}

# deny: internet rules below exclude the VPC and named networks
resource "aws_network_acl_rule" "app_in_15110" {
  #checkov:skip=CKV_AWS_352:This rule denies all traffic from the VPC or a named network (rule_action = deny); checkov does not read rule_action.
  network_acl_id = aws_network_acl.app.id
  rule_number    = 15110
  egress         = false
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "192.168.0.0/16"
}

# flow app_to_internet_tcp return: internet to app tcp 1024-65535
resource "aws_network_acl_rule" "app_in_29700" {
  #checkov:skip=CKV_AWS_231:Return leg of flow app_to_internet_tcp: a stateless ACL must admit replies on ephemeral ports from the internet; the tier's security group admits no inbound connections on them.
  network_acl_id = aws_network_acl.app.id
  rule_number    = 29700
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 1024
  to_port        = 65535
}

# flow app_to_db_tcp: app to db tcp 5432
resource "aws_network_acl_rule" "app_out_3800" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 3800
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.20.0/23"
  from_port      = 5432
  to_port        = 5432
}

# flow app_to_db_tcp: app to db tcp 5432
resource "aws_network_acl_rule" "app_out_3801" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 3801
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.22.0/24"
  from_port      = 5432
  to_port        = 5432
}

# flow mgmt_to_app_tcp return: app to mgmt tcp 1024-65535
resource "aws_network_acl_rule" "app_out_6200" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 6200
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.30.0/25"
  from_port      = 1024
  to_port        = 65535
}

# flow mgmt_to_app_tcp return: app to mgmt tcp 1024-65535
resource "aws_network_acl_rule" "app_out_6201" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 6201
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.30.128/26"
  from_port      = 1024
  to_port        = 65535
}

# flow app_to_aws:kms_tcp: app to aws:kms tcp 443
resource "aws_network_acl_rule" "app_out_7300" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 7300
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.40.0/27"
  from_port      = 443
  to_port        = 443
}

# flow app_to_aws:kms_tcp: app to aws:kms tcp 443
resource "aws_network_acl_rule" "app_out_7301" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 7301
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.40.32/28"
  from_port      = 443
  to_port        = 443
}

# flow web_to_app_tcp return: app to web tcp 1024-65535
resource "aws_network_acl_rule" "app_out_7320" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 7320
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.0.0/23"
  from_port      = 1024
  to_port        = 65535
}

# flow web_to_app_tcp return: app to web tcp 1024-65535
resource "aws_network_acl_rule" "app_out_7321" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 7321
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.2.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow app_to_aws:ssm_tcp: app to aws:ssm tcp 443
resource "aws_network_acl_rule" "app_out_9160" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 9160
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.40.0/27"
  from_port      = 443
  to_port        = 443
}

# flow app_to_aws:ssm_tcp: app to aws:ssm tcp 443
resource "aws_network_acl_rule" "app_out_9161" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 9161
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.40.32/28"
  from_port      = 443
  to_port        = 443
}

# deny: internet rules below exclude the VPC and named networks
resource "aws_network_acl_rule" "app_out_15100" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 15100
  egress         = true
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "10.40.0.0/16"
}

# deny: internet rules below exclude the VPC and named networks
resource "aws_network_acl_rule" "app_out_15110" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 15110
  egress         = true
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "192.168.0.0/16"
}

# flow app_to_internet_tcp: app to internet tcp 443
resource "aws_network_acl_rule" "app_out_29700" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 29700
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 443
  to_port        = 443
}

# Tier db: one ACL for its subnets. Rules are stateless: each flow has a
# forward leg and a return leg on ephemeral ports 1024-65535. Rules below 15100 name
# tiers (one rule per tier: its reserved block or its CIDRs' aggregates) and named
# networks; from 15100 on, the VPC and named networks are denied before the
# 0.0.0.0/0 allows, so those admit the internet only (first match wins). A rule's
# number comes from its flow's id alone: other flows' edits never renumber it.
resource "aws_network_acl" "db" {
  #checkov:skip=CKV2_AWS_1:Attached by aws_network_acl_association resources (one per subnet, so a new AZ never updates this ACL); checkov does not follow them.
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-db"
    Tier = "db"
  })
}

resource "aws_network_acl_association" "db_a" {
  network_acl_id = aws_network_acl.db.id
  subnet_id      = aws_subnet.db_a.id
}

resource "aws_network_acl_association" "db_b" {
  network_acl_id = aws_network_acl.db.id
  subnet_id      = aws_subnet.db_b.id
}

resource "aws_network_acl_association" "db_c" {
  network_acl_id = aws_network_acl.db.id
  subnet_id      = aws_subnet.db_c.id
}

# flow db_to_aws:kms_tcp return: aws:kms to db tcp 1024-65535
resource "aws_network_acl_rule" "db_in_3530" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 3530
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.40.0/27"
  from_port      = 1024
  to_port        = 65535
}

# flow db_to_aws:kms_tcp return: aws:kms to db tcp 1024-65535
resource "aws_network_acl_rule" "db_in_3531" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 3531
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.40.32/28"
  from_port      = 1024
  to_port        = 65535
}

# flow app_to_db_tcp: app to db tcp 5432
resource "aws_network_acl_rule" "db_in_3800" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 3800
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.10.0/23"
  from_port      = 5432
  to_port        = 5432
}

# flow app_to_db_tcp: app to db tcp 5432
resource "aws_network_acl_rule" "db_in_3801" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 3801
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.12.0/24"
  from_port      = 5432
  to_port        = 5432
}

# flow mgmt_to_db_tcp: mgmt to db tcp 22
resource "aws_network_acl_rule" "db_in_8090" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 8090
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.30.0/25"
  from_port      = 22
  to_port        = 22
}

# flow mgmt_to_db_tcp: mgmt to db tcp 22
resource "aws_network_acl_rule" "db_in_8091" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 8091
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.30.128/26"
  from_port      = 22
  to_port        = 22
}

# flow db_to_aws:ssm_tcp return: aws:ssm to db tcp 1024-65535
resource "aws_network_acl_rule" "db_in_11430" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 11430
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.40.0/27"
  from_port      = 1024
  to_port        = 65535
}

# flow db_to_aws:ssm_tcp return: aws:ssm to db tcp 1024-65535
resource "aws_network_acl_rule" "db_in_11431" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 11431
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.40.32/28"
  from_port      = 1024
  to_port        = 65535
}

# flow db_to_aws:kms_tcp: db to aws:kms tcp 443
resource "aws_network_acl_rule" "db_out_3530" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 3530
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.40.0/27"
  from_port      = 443
  to_port        = 443
}

# flow db_to_aws:kms_tcp: db to aws:kms tcp 443
resource "aws_network_acl_rule" "db_out_3531" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 3531
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.40.32/28"
  from_port      = 443
  to_port        = 443
}

# flow app_to_db_tcp return: db to app tcp 1024-65535
resource "aws_network_acl_rule" "db_out_3800" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 3800
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.10.0/23"
  from_port      = 1024
  to_port        = 65535
}

# flow app_to_db_tcp return: db to app tcp 1024-65535
resource "aws_network_acl_rule" "db_out_3801" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 3801
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.12.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow mgmt_to_db_tcp return: db to mgmt tcp 1024-65535
resource "aws_network_acl_rule" "db_out_8090" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 8090
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.30.0/25"
  from_port      = 1024
  to_port        = 65535
}

# flow mgmt_to_db_tcp return: db to mgmt tcp 1024-65535
resource "aws_network_acl_rule" "db_out_8091" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 8091
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.30.128/26"
  from_port      = 1024
  to_port        = 65535
}

# flow db_to_aws:ssm_tcp: db to aws:ssm tcp 443
resource "aws_network_acl_rule" "db_out_11430" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 11430
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.40.0/27"
  from_port      = 443
  to_port        = 443
}

# flow db_to_aws:ssm_tcp: db to aws:ssm tcp 443
resource "aws_network_acl_rule" "db_out_11431" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 11431
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.40.32/28"
  from_port      = 443
  to_port        = 443
}

# Tier mgmt: one ACL for its subnets. Rules are stateless: each flow has a
# forward leg and a return leg on ephemeral ports 1024-65535. Rules below 15100 name
# tiers (one rule per tier: its reserved block or its CIDRs' aggregates) and named
# networks; from 15100 on, the VPC and named networks are denied before the
# 0.0.0.0/0 allows, so those admit the internet only (first match wins). A rule's
# number comes from its flow's id alone: other flows' edits never renumber it.
resource "aws_network_acl" "mgmt" {
  #checkov:skip=CKV2_AWS_1:Attached by aws_network_acl_association resources (one per subnet, so a new AZ never updates this ACL); checkov does not follow them.
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-mgmt"
    Tier = "mgmt"
  })
}

resource "aws_network_acl_association" "mgmt_a" {
  network_acl_id = aws_network_acl.mgmt.id
  subnet_id      = aws_subnet.mgmt_a.id
}

resource "aws_network_acl_association" "mgmt_b" {
  network_acl_id = aws_network_acl.mgmt.id
  subnet_id      = aws_subnet.mgmt_b.id
}

resource "aws_network_acl_association" "mgmt_c" {
  network_acl_id = aws_network_acl.mgmt.id
  subnet_id      = aws_subnet.mgmt_c.id
}

# flow mgmt_to_web_tcp return: web to mgmt tcp 1024-65535
resource "aws_network_acl_rule" "mgmt_in_1260" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 1260
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.0.0/23"
  from_port      = 1024
  to_port        = 65535
}

# flow mgmt_to_web_tcp return: web to mgmt tcp 1024-65535
resource "aws_network_acl_rule" "mgmt_in_1261" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 1261
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.2.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow mgmt_to_app_tcp return: app to mgmt tcp 1024-65535
resource "aws_network_acl_rule" "mgmt_in_6200" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 6200
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.10.0/23"
  from_port      = 1024
  to_port        = 65535
}

# flow mgmt_to_app_tcp return: app to mgmt tcp 1024-65535
resource "aws_network_acl_rule" "mgmt_in_6201" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 6201
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.12.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow mgmt_to_db_tcp return: db to mgmt tcp 1024-65535
resource "aws_network_acl_rule" "mgmt_in_8090" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 8090
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.20.0/23"
  from_port      = 1024
  to_port        = 65535
}

# flow mgmt_to_db_tcp return: db to mgmt tcp 1024-65535
resource "aws_network_acl_rule" "mgmt_in_8091" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 8091
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.22.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow corp_to_mgmt_tcp: corp to mgmt tcp 22
resource "aws_network_acl_rule" "mgmt_in_9310" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 9310
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "192.168.0.0/16"
  from_port      = 22
  to_port        = 22
}

# flow mgmt_to_web_tcp: mgmt to web tcp 22
resource "aws_network_acl_rule" "mgmt_out_1260" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 1260
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.0.0/23"
  from_port      = 22
  to_port        = 22
}

# flow mgmt_to_web_tcp: mgmt to web tcp 22
resource "aws_network_acl_rule" "mgmt_out_1261" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 1261
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.2.0/24"
  from_port      = 22
  to_port        = 22
}

# flow mgmt_to_app_tcp: mgmt to app tcp 22
resource "aws_network_acl_rule" "mgmt_out_6200" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 6200
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.10.0/23"
  from_port      = 22
  to_port        = 22
}

# flow mgmt_to_app_tcp: mgmt to app tcp 22
resource "aws_network_acl_rule" "mgmt_out_6201" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 6201
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.12.0/24"
  from_port      = 22
  to_port        = 22
}

# flow mgmt_to_db_tcp: mgmt to db tcp 22
resource "aws_network_acl_rule" "mgmt_out_8090" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 8090
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.20.0/23"
  from_port      = 22
  to_port        = 22
}

# flow mgmt_to_db_tcp: mgmt to db tcp 22
resource "aws_network_acl_rule" "mgmt_out_8091" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 8091
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.22.0/24"
  from_port      = 22
  to_port        = 22
}

# flow corp_to_mgmt_tcp return: mgmt to corp tcp 1024-65535
resource "aws_network_acl_rule" "mgmt_out_9310" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 9310
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "192.168.0.0/16"
  from_port      = 1024
  to_port        = 65535
}

# Tier vpce: one ACL for its subnets. Rules are stateless: each flow has a
# forward leg and a return leg on ephemeral ports 1024-65535. Rules below 15100 name
# tiers (one rule per tier: its reserved block or its CIDRs' aggregates) and named
# networks; from 15100 on, the VPC and named networks are denied before the
# 0.0.0.0/0 allows, so those admit the internet only (first match wins). A rule's
# number comes from its flow's id alone: other flows' edits never renumber it.
resource "aws_network_acl" "vpce" {
  #checkov:skip=CKV2_AWS_1:Attached by aws_network_acl_association resources (one per subnet, so a new AZ never updates this ACL); checkov does not follow them.
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-vpce"
    Tier = "vpce"
  })
}

resource "aws_network_acl_association" "vpce_a" {
  network_acl_id = aws_network_acl.vpce.id
  subnet_id      = aws_subnet.vpce_a.id
}

resource "aws_network_acl_association" "vpce_b" {
  network_acl_id = aws_network_acl.vpce.id
  subnet_id      = aws_subnet.vpce_b.id
}

resource "aws_network_acl_association" "vpce_c" {
  network_acl_id = aws_network_acl.vpce.id
  subnet_id      = aws_subnet.vpce_c.id
}

# flow db_to_aws:kms_tcp: db to aws:kms tcp 443
resource "aws_network_acl_rule" "vpce_in_3530" {
  network_acl_id = aws_network_acl.vpce.id
  rule_number    = 3530
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.20.0/23"
  from_port      = 443
  to_port        = 443
}

# flow db_to_aws:kms_tcp: db to aws:kms tcp 443
resource "aws_network_acl_rule" "vpce_in_3531" {
  network_acl_id = aws_network_acl.vpce.id
  rule_number    = 3531
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.22.0/24"
  from_port      = 443
  to_port        = 443
}

# flow app_to_aws:kms_tcp: app to aws:kms tcp 443
resource "aws_network_acl_rule" "vpce_in_7300" {
  network_acl_id = aws_network_acl.vpce.id
  rule_number    = 7300
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.10.0/23"
  from_port      = 443
  to_port        = 443
}

# flow app_to_aws:kms_tcp: app to aws:kms tcp 443
resource "aws_network_acl_rule" "vpce_in_7301" {
  network_acl_id = aws_network_acl.vpce.id
  rule_number    = 7301
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.12.0/24"
  from_port      = 443
  to_port        = 443
}

# flow app_to_aws:ssm_tcp: app to aws:ssm tcp 443
resource "aws_network_acl_rule" "vpce_in_9160" {
  network_acl_id = aws_network_acl.vpce.id
  rule_number    = 9160
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.10.0/23"
  from_port      = 443
  to_port        = 443
}

# flow app_to_aws:ssm_tcp: app to aws:ssm tcp 443
resource "aws_network_acl_rule" "vpce_in_9161" {
  network_acl_id = aws_network_acl.vpce.id
  rule_number    = 9161
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.12.0/24"
  from_port      = 443
  to_port        = 443
}

# flow db_to_aws:ssm_tcp: db to aws:ssm tcp 443
resource "aws_network_acl_rule" "vpce_in_11430" {
  network_acl_id = aws_network_acl.vpce.id
  rule_number    = 11430
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.20.0/23"
  from_port      = 443
  to_port        = 443
}

# flow db_to_aws:ssm_tcp: db to aws:ssm tcp 443
resource "aws_network_acl_rule" "vpce_in_11431" {
  network_acl_id = aws_network_acl.vpce.id
  rule_number    = 11431
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.22.0/24"
  from_port      = 443
  to_port        = 443
}

# flow db_to_aws:kms_tcp return: aws:kms to db tcp 1024-65535
resource "aws_network_acl_rule" "vpce_out_3530" {
  network_acl_id = aws_network_acl.vpce.id
  rule_number    = 3530
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.20.0/23"
  from_port      = 1024
  to_port        = 65535
}

# flow db_to_aws:kms_tcp return: aws:kms to db tcp 1024-65535
resource "aws_network_acl_rule" "vpce_out_3531" {
  network_acl_id = aws_network_acl.vpce.id
  rule_number    = 3531
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.22.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow app_to_aws:kms_tcp return: aws:kms to app tcp 1024-65535
resource "aws_network_acl_rule" "vpce_out_7300" {
  network_acl_id = aws_network_acl.vpce.id
  rule_number    = 7300
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.10.0/23"
  from_port      = 1024
  to_port        = 65535
}

# flow app_to_aws:kms_tcp return: aws:kms to app tcp 1024-65535
resource "aws_network_acl_rule" "vpce_out_7301" {
  network_acl_id = aws_network_acl.vpce.id
  rule_number    = 7301
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.12.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow app_to_aws:ssm_tcp return: aws:ssm to app tcp 1024-65535
resource "aws_network_acl_rule" "vpce_out_9160" {
  network_acl_id = aws_network_acl.vpce.id
  rule_number    = 9160
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.10.0/23"
  from_port      = 1024
  to_port        = 65535
}

# flow app_to_aws:ssm_tcp return: aws:ssm to app tcp 1024-65535
resource "aws_network_acl_rule" "vpce_out_9161" {
  network_acl_id = aws_network_acl.vpce.id
  rule_number    = 9161
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.12.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow db_to_aws:ssm_tcp return: aws:ssm to db tcp 1024-65535
resource "aws_network_acl_rule" "vpce_out_11430" {
  network_acl_id = aws_network_acl.vpce.id
  rule_number    = 11430
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.20.0/23"
  from_port      = 1024
  to_port        = 65535
}

# flow db_to_aws:ssm_tcp return: aws:ssm to db tcp 1024-65535
resource "aws_network_acl_rule" "vpce_out_11431" {
  network_acl_id = aws_network_acl.vpce.id
  rule_number    = 11431
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.40.22.0/24"
  from_port      = 1024
  to_port        = 65535
}
