# The default security group is managed with no rules: nothing placed in it can talk.
resource "aws_default_security_group" "this" {
  vpc_id  = aws_vpc.this.id
  ingress = []
  egress  = []

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-default"
  })
}

# Tier web: stateful, so each flow needs one rule on each end.
resource "aws_security_group" "web" {
  #checkov:skip=CKV2_AWS_5:The module creates tier groups for the workloads placed in the tier; attaching them is the caller's job.
  name_prefix            = "${var.name_prefix}-web-"
  description            = "Tier web of two-tier"
  vpc_id                 = aws_vpc.this.id
  revoke_rules_on_delete = true

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-web"
    Tier = "web"
  })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "web_from_internet_tcp_443" {
  security_group_id = aws_security_group.web.id
  description       = "flow internet_to_web_tcp: internet to web tcp 443"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-web-from-internet-tcp-443"
    Tier = "web"
  })
}

resource "aws_vpc_security_group_egress_rule" "web_to_db_tcp_5432" {
  security_group_id            = aws_security_group.web.id
  description                  = "flow web_to_db_tcp: web to db tcp 5432"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.db.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-web-to-db-tcp-5432"
    Tier = "web"
  })
}

# Tier db: stateful, so each flow needs one rule on each end.
resource "aws_security_group" "db" {
  #checkov:skip=CKV2_AWS_5:The module creates tier groups for the workloads placed in the tier; attaching them is the caller's job.
  name_prefix            = "${var.name_prefix}-db-"
  description            = "Tier db of two-tier"
  vpc_id                 = aws_vpc.this.id
  revoke_rules_on_delete = true

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-db"
    Tier = "db"
  })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "db_from_web_tcp_5432" {
  security_group_id            = aws_security_group.db.id
  description                  = "flow web_to_db_tcp: web to db tcp 5432"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.web.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-db-from-web-tcp-5432"
    Tier = "db"
  })
}
