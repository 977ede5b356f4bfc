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
  description            = "Tier web of hybrid"
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

resource "aws_vpc_security_group_ingress_rule" "web_from_mgmt_tcp_22" {
  #checkov:skip=CKV_AWS_24:Peer is the mgmt tier's security group, not 0.0.0.0/0 (flow mgmt_to_web_tcp).
  security_group_id            = aws_security_group.web.id
  description                  = "flow mgmt_to_web_tcp: mgmt to web tcp 22"
  ip_protocol                  = "tcp"
  from_port                    = 22
  to_port                      = 22
  referenced_security_group_id = aws_security_group.mgmt.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-web-from-mgmt-tcp-22"
    Tier = "web"
  })
}

resource "aws_vpc_security_group_egress_rule" "web_to_app_tcp_8443" {
  security_group_id            = aws_security_group.web.id
  description                  = "flow web_to_app_tcp: web to app tcp 8443"
  ip_protocol                  = "tcp"
  from_port                    = 8443
  to_port                      = 8443
  referenced_security_group_id = aws_security_group.app.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-web-to-app-tcp-8443"
    Tier = "web"
  })
}

# Tier app: stateful, so each flow needs one rule on each end.
resource "aws_security_group" "app" {
  #checkov:skip=CKV2_AWS_5:The module creates tier groups for the workloads placed in the tier; attaching them is the caller's job.
  name_prefix            = "${var.name_prefix}-app-"
  description            = "Tier app of hybrid"
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

resource "aws_vpc_security_group_ingress_rule" "app_from_mgmt_tcp_22" {
  #checkov:skip=CKV_AWS_24:Peer is the mgmt tier's security group, not 0.0.0.0/0 (flow mgmt_to_app_tcp).
  security_group_id            = aws_security_group.app.id
  description                  = "flow mgmt_to_app_tcp: mgmt to app tcp 22"
  ip_protocol                  = "tcp"
  from_port                    = 22
  to_port                      = 22
  referenced_security_group_id = aws_security_group.mgmt.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-app-from-mgmt-tcp-22"
    Tier = "app"
  })
}

resource "aws_vpc_security_group_ingress_rule" "app_from_web_tcp_8443" {
  security_group_id            = aws_security_group.app.id
  description                  = "flow web_to_app_tcp: web to app tcp 8443"
  ip_protocol                  = "tcp"
  from_port                    = 8443
  to_port                      = 8443
  referenced_security_group_id = aws_security_group.web.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-app-from-web-tcp-8443"
    Tier = "app"
  })
}

resource "aws_vpc_security_group_egress_rule" "app_to_db_tcp_5432" {
  security_group_id            = aws_security_group.app.id
  description                  = "flow app_to_db_tcp: app to db tcp 5432"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.db.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-app-to-db-tcp-5432"
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

resource "aws_vpc_security_group_egress_rule" "app_to_vpce__kms_tcp_443" {
  security_group_id            = aws_security_group.app.id
  description                  = "flow app_to_aws:kms_tcp: app to aws:kms tcp 443"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.vpce_kms.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-app-to-vpce-kms-tcp-443"
    Tier = "app"
  })
}

resource "aws_vpc_security_group_egress_rule" "app_to_vpce__ssm_tcp_443" {
  security_group_id            = aws_security_group.app.id
  description                  = "flow app_to_aws:ssm_tcp: app to aws:ssm tcp 443"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.vpce_ssm.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-app-to-vpce-ssm-tcp-443"
    Tier = "app"
  })
}

# Tier db: stateful, so each flow needs one rule on each end.
resource "aws_security_group" "db" {
  #checkov:skip=CKV2_AWS_5:The module creates tier groups for the workloads placed in the tier; attaching them is the caller's job.
  name_prefix            = "${var.name_prefix}-db-"
  description            = "Tier db of hybrid"
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

resource "aws_vpc_security_group_ingress_rule" "db_from_app_tcp_5432" {
  security_group_id            = aws_security_group.db.id
  description                  = "flow app_to_db_tcp: app to db tcp 5432"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.app.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-db-from-app-tcp-5432"
    Tier = "db"
  })
}

resource "aws_vpc_security_group_ingress_rule" "db_from_mgmt_tcp_22" {
  #checkov:skip=CKV_AWS_24:Peer is the mgmt tier's security group, not 0.0.0.0/0 (flow mgmt_to_db_tcp).
  security_group_id            = aws_security_group.db.id
  description                  = "flow mgmt_to_db_tcp: mgmt to db tcp 22"
  ip_protocol                  = "tcp"
  from_port                    = 22
  to_port                      = 22
  referenced_security_group_id = aws_security_group.mgmt.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-db-from-mgmt-tcp-22"
    Tier = "db"
  })
}

resource "aws_vpc_security_group_egress_rule" "db_to_vpce__kms_tcp_443" {
  security_group_id            = aws_security_group.db.id
  description                  = "flow db_to_aws:kms_tcp: db to aws:kms tcp 443"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.vpce_kms.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-db-to-vpce-kms-tcp-443"
    Tier = "db"
  })
}

resource "aws_vpc_security_group_egress_rule" "db_to_vpce__ssm_tcp_443" {
  security_group_id            = aws_security_group.db.id
  description                  = "flow db_to_aws:ssm_tcp: db to aws:ssm tcp 443"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.vpce_ssm.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-db-to-vpce-ssm-tcp-443"
    Tier = "db"
  })
}

# Tier mgmt: stateful, so each flow needs one rule on each end.
resource "aws_security_group" "mgmt" {
  #checkov:skip=CKV2_AWS_5:The module creates tier groups for the workloads placed in the tier; attaching them is the caller's job.
  name_prefix            = "${var.name_prefix}-mgmt-"
  description            = "Tier mgmt of hybrid"
  vpc_id                 = aws_vpc.this.id
  revoke_rules_on_delete = true

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-mgmt"
    Tier = "mgmt"
  })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "mgmt_from_corp_tcp_22" {
  security_group_id = aws_security_group.mgmt.id
  description       = "flow corp_to_mgmt_tcp: corp to mgmt tcp 22"
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = "192.168.0.0/16"

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-mgmt-from-corp-tcp-22"
    Tier = "mgmt"
  })
}

resource "aws_vpc_security_group_egress_rule" "mgmt_to_app_tcp_22" {
  security_group_id            = aws_security_group.mgmt.id
  description                  = "flow mgmt_to_app_tcp: mgmt to app tcp 22"
  ip_protocol                  = "tcp"
  from_port                    = 22
  to_port                      = 22
  referenced_security_group_id = aws_security_group.app.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-mgmt-to-app-tcp-22"
    Tier = "mgmt"
  })
}

resource "aws_vpc_security_group_egress_rule" "mgmt_to_db_tcp_22" {
  security_group_id            = aws_security_group.mgmt.id
  description                  = "flow mgmt_to_db_tcp: mgmt to db tcp 22"
  ip_protocol                  = "tcp"
  from_port                    = 22
  to_port                      = 22
  referenced_security_group_id = aws_security_group.db.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-mgmt-to-db-tcp-22"
    Tier = "mgmt"
  })
}

resource "aws_vpc_security_group_egress_rule" "mgmt_to_web_tcp_22" {
  security_group_id            = aws_security_group.mgmt.id
  description                  = "flow mgmt_to_web_tcp: mgmt to web tcp 22"
  ip_protocol                  = "tcp"
  from_port                    = 22
  to_port                      = 22
  referenced_security_group_id = aws_security_group.web.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-mgmt-to-web-tcp-22"
    Tier = "mgmt"
  })
}

# Tier vpce: stateful, so each flow needs one rule on each end.
resource "aws_security_group" "vpce" {
  #checkov:skip=CKV2_AWS_5:The module creates tier groups for the workloads placed in the tier; attaching them is the caller's job.
  name_prefix            = "${var.name_prefix}-vpce-"
  description            = "Tier vpce of hybrid"
  vpc_id                 = aws_vpc.this.id
  revoke_rules_on_delete = true

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-vpce"
    Tier = "vpce"
  })

  lifecycle {
    create_before_destroy = true
  }
}

# Interface endpoint aws:kms: admits only the tiers whose flows name the service.
resource "aws_security_group" "vpce_kms" {
  name_prefix            = "${var.name_prefix}-vpce-kms-"
  description            = "Interface endpoint kms of hybrid"
  vpc_id                 = aws_vpc.this.id
  revoke_rules_on_delete = true

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-vpce-kms"
  })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "vpce__kms_from_app_tcp_443" {
  security_group_id            = aws_security_group.vpce_kms.id
  description                  = "flow app_to_aws:kms_tcp: app to aws:kms tcp 443"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.app.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-vpce-kms-from-app-tcp-443"
  })
}

resource "aws_vpc_security_group_ingress_rule" "vpce__kms_from_db_tcp_443" {
  security_group_id            = aws_security_group.vpce_kms.id
  description                  = "flow db_to_aws:kms_tcp: db to aws:kms tcp 443"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.db.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-vpce-kms-from-db-tcp-443"
  })
}

# Interface endpoint aws:ssm: admits only the tiers whose flows name the service.
resource "aws_security_group" "vpce_ssm" {
  name_prefix            = "${var.name_prefix}-vpce-ssm-"
  description            = "Interface endpoint ssm of hybrid"
  vpc_id                 = aws_vpc.this.id
  revoke_rules_on_delete = true

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-vpce-ssm"
  })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "vpce__ssm_from_app_tcp_443" {
  security_group_id            = aws_security_group.vpce_ssm.id
  description                  = "flow app_to_aws:ssm_tcp: app to aws:ssm tcp 443"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.app.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-vpce-ssm-from-app-tcp-443"
  })
}

resource "aws_vpc_security_group_ingress_rule" "vpce__ssm_from_db_tcp_443" {
  security_group_id            = aws_security_group.vpce_ssm.id
  description                  = "flow db_to_aws:ssm_tcp: db to aws:ssm tcp 443"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.db.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-vpce-ssm-from-db-tcp-443"
  })
}
