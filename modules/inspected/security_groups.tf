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
  description            = "Tier web of inspected"
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

# Tier app: stateful, so each flow needs one rule on each end.
resource "aws_security_group" "app" {
  #checkov:skip=CKV2_AWS_5:The module creates tier groups for the workloads placed in the tier; attaching them is the caller's job.
  name_prefix            = "${var.name_prefix}-app-"
  description            = "Tier app of inspected"
  vpc_id                 = aws_vpc.this.id
  revoke_rules_on_delete = true

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-app"
    Tier = "app"
  })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "app_from_lb__web_tcp_8443" {
  security_group_id            = aws_security_group.app.id
  description                  = "lb_web: load balancer to app target tcp 8443"
  ip_protocol                  = "tcp"
  from_port                    = 8443
  to_port                      = 8443
  referenced_security_group_id = aws_security_group.lb_web.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-app-from-lb-web-tcp-8443"
    Tier = "app"
  })
}

resource "aws_vpc_security_group_egress_rule" "app_to_db_tcp_3306" {
  security_group_id            = aws_security_group.app.id
  description                  = "flow app_to_db_tcp: app to db tcp 3306"
  ip_protocol                  = "tcp"
  from_port                    = 3306
  to_port                      = 3306
  referenced_security_group_id = aws_security_group.db.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-app-to-db-tcp-3306"
    Tier = "app"
  })
}

resource "aws_vpc_security_group_egress_rule" "app_to_internet_tcp_443" {
  security_group_id = aws_security_group.app.id
  description       = "flow app_to_internet_tcp: app to internet tcp 443"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-app-to-internet-tcp-443"
    Tier = "app"
  })
}

# Tier db: stateful, so each flow needs one rule on each end.
resource "aws_security_group" "db" {
  #checkov:skip=CKV2_AWS_5:The module creates tier groups for the workloads placed in the tier; attaching them is the caller's job.
  name_prefix            = "${var.name_prefix}-db-"
  description            = "Tier db of inspected"
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

resource "aws_vpc_security_group_ingress_rule" "db_from_app_tcp_3306" {
  security_group_id            = aws_security_group.db.id
  description                  = "flow app_to_db_tcp: app to db tcp 3306"
  ip_protocol                  = "tcp"
  from_port                    = 3306
  to_port                      = 3306
  referenced_security_group_id = aws_security_group.app.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-db-from-app-tcp-3306"
    Tier = "db"
  })
}
