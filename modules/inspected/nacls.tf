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

# lb_web return: app to the load balancer tcp 1024-65535
resource "aws_network_acl_rule" "web_in_2000" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 2000
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.11.0/24"
  from_port      = 1024
  to_port        = 65535
}

# lb_web return: app to the load balancer tcp 1024-65535
resource "aws_network_acl_rule" "web_in_2001" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 2001
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.12.0/24"
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
  cidr_block     = "10.0.11.0/24"
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
  cidr_block     = "10.0.12.0/24"
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
  cidr_block     = "10.0.0.0/16"
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

# lb_web: load balancer to app target tcp 8443
resource "aws_network_acl_rule" "web_out_2000" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 2000
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.11.0/24"
  from_port      = 8443
  to_port        = 8443
}

# lb_web: load balancer to app target tcp 8443
resource "aws_network_acl_rule" "web_out_2001" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 2001
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.12.0/24"
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
  cidr_block     = "10.0.11.0/24"
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
  cidr_block     = "10.0.12.0/24"
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
  cidr_block     = "10.0.0.0/16"
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

# lb_web: load balancer to app target tcp 8443
resource "aws_network_acl_rule" "app_in_2000" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 2000
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.1.0/24"
  from_port      = 8443
  to_port        = 8443
}

# lb_web: load balancer to app target tcp 8443
resource "aws_network_acl_rule" "app_in_2001" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 2001
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.2.0/24"
  from_port      = 8443
  to_port        = 8443
}

# flow app_to_db_tcp return: db to app tcp 1024-65535
resource "aws_network_acl_rule" "app_in_3800" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 3800
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.21.0/24"
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
  cidr_block     = "10.0.22.0/24"
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
  cidr_block     = "10.0.0.0/16"
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

# lb_web return: app to the load balancer tcp 1024-65535
resource "aws_network_acl_rule" "app_out_2000" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 2000
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.1.0/24"
  from_port      = 1024
  to_port        = 65535
}

# lb_web return: app to the load balancer tcp 1024-65535
resource "aws_network_acl_rule" "app_out_2001" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 2001
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.2.0/24"
  from_port      = 1024
  to_port        = 65535
}

# flow app_to_db_tcp: app to db tcp 3306
resource "aws_network_acl_rule" "app_out_3800" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 3800
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.21.0/24"
  from_port      = 3306
  to_port        = 3306
}

# flow app_to_db_tcp: app to db tcp 3306
resource "aws_network_acl_rule" "app_out_3801" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 3801
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.22.0/24"
  from_port      = 3306
  to_port        = 3306
}

# deny: internet rules below exclude the VPC and named networks
resource "aws_network_acl_rule" "app_out_15100" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 15100
  egress         = true
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "10.0.0.0/16"
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

# flow app_to_db_tcp: app to db tcp 3306
resource "aws_network_acl_rule" "db_in_3800" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 3800
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.11.0/24"
  from_port      = 3306
  to_port        = 3306
}

# flow app_to_db_tcp: app to db tcp 3306
resource "aws_network_acl_rule" "db_in_3801" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 3801
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.12.0/24"
  from_port      = 3306
  to_port        = 3306
}

# flow app_to_db_tcp return: db to app tcp 1024-65535
resource "aws_network_acl_rule" "db_out_3800" {
  network_acl_id = aws_network_acl.db.id
  rule_number    = 3800
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "10.0.11.0/24"
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
  cidr_block     = "10.0.12.0/24"
  from_port      = 1024
  to_port        = 65535
}
