# AWS Network Firewall (ingress, egress): one endpoint per AZ in a dedicated /28
# subnet at the top of the VPC (never moved by tiers). Every route to the firewall targets
# the endpoint of its own AZ, taken from the firewall's sync states (AZ-local paths).
resource "aws_subnet" "firewall_a" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = "10.0.255.128/28"
  availability_zone       = "us-east-1a"
  map_public_ip_on_launch = false

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-firewall-a"
  })
}

# Firewall subnet, us-east-1a: what the firewall passes goes on by this table.
resource "aws_route_table" "firewall_a" {
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-firewall-a"
  })
}

resource "aws_route_table_association" "firewall_a" {
  subnet_id      = aws_subnet.firewall_a.id
  route_table_id = aws_route_table.firewall_a.id
}

resource "aws_network_acl_association" "firewall_a" {
  network_acl_id = aws_network_acl.firewall.id
  subnet_id      = aws_subnet.firewall_a.id
}

resource "aws_subnet" "firewall_b" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = "10.0.255.144/28"
  availability_zone       = "us-east-1b"
  map_public_ip_on_launch = false

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-firewall-b"
  })
}

# Firewall subnet, us-east-1b: what the firewall passes goes on by this table.
resource "aws_route_table" "firewall_b" {
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-firewall-b"
  })
}

resource "aws_route_table_association" "firewall_b" {
  subnet_id      = aws_subnet.firewall_b.id
  route_table_id = aws_route_table.firewall_b.id
}

resource "aws_network_acl_association" "firewall_b" {
  network_acl_id = aws_network_acl.firewall.id
  subnet_id      = aws_subnet.firewall_b.id
}

# The firewall subnets' ACL admits all traffic: the firewall's rules filter (AWS's advice);
# the tiers' ACLs and groups still filter at the tiers.
resource "aws_network_acl" "firewall" {
  #checkov:skip=CKV2_AWS_1:Attached by aws_network_acl_association resources (one per subnet); checkov does not follow them.
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-firewall"
  })
}

# firewall subnets: all traffic from 0.0.0.0/0 (the firewall filters)
resource "aws_network_acl_rule" "firewall_in_20650" {
  #checkov:skip=CKV_AWS_229:Firewall endpoint subnets hold only the firewall's interfaces; its stateful rules filter every port (AWS's advice for firewall subnets).
  #checkov:skip=CKV_AWS_230:Firewall endpoint subnets hold only the firewall's interfaces; its stateful rules filter every port (AWS's advice for firewall subnets).
  #checkov:skip=CKV_AWS_231:Firewall endpoint subnets hold only the firewall's interfaces; its stateful rules filter every port (AWS's advice for firewall subnets).
  #checkov:skip=CKV_AWS_232:Firewall endpoint subnets hold only the firewall's interfaces; its stateful rules filter every port (AWS's advice for firewall subnets).
  #checkov:skip=CKV_AWS_352:Firewall endpoint subnets hold only the firewall's interfaces; its stateful rules filter every port (AWS's advice for firewall subnets).
  network_acl_id = aws_network_acl.firewall.id
  rule_number    = 20650
  egress         = false
  protocol       = "-1"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
}

# firewall subnets: all traffic to 0.0.0.0/0 (the firewall filters)
resource "aws_network_acl_rule" "firewall_out_20650" {
  network_acl_id = aws_network_acl.firewall.id
  rule_number    = 20650
  egress         = true
  protocol       = "-1"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
}

# Ingress: the internet gateway's edge route table sends what arrives for each public
# subnet to the firewall endpoint of that subnet's AZ.
resource "aws_route_table" "igw_edge" {
  vpc_id = aws_vpc.this.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-igw-edge"
  })
}

resource "aws_route_table_association" "igw_edge" {
  gateway_id     = aws_internet_gateway.this.id
  route_table_id = aws_route_table.igw_edge.id
}

# Ingress to 10.0.1.0/24: through the firewall endpoint in us-east-1a.
resource "aws_route" "igw_edge_web_a" {
  route_table_id         = aws_route_table.igw_edge.id
  destination_cidr_block = "10.0.1.0/24"
  vpc_endpoint_id        = one([for s in aws_networkfirewall_firewall.this.firewall_status[0].sync_states : s.attachment[0].endpoint_id if s.availability_zone == "us-east-1a"])
}

# Ingress to 10.0.2.0/24: through the firewall endpoint in us-east-1b.
resource "aws_route" "igw_edge_web_b" {
  route_table_id         = aws_route_table.igw_edge.id
  destination_cidr_block = "10.0.2.0/24"
  vpc_endpoint_id        = one([for s in aws_networkfirewall_firewall.this.firewall_status[0].sync_states : s.attachment[0].endpoint_id if s.availability_zone == "us-east-1b"])
}

# Firewall subnet firewall_a: what the firewall passes leaves by the internet gateway.
resource "aws_route" "firewall_a_default" {
  route_table_id         = aws_route_table.firewall_a.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

# Firewall subnet firewall_b: what the firewall passes leaves by the internet gateway.
resource "aws_route" "firewall_b_default" {
  route_table_id         = aws_route_table.firewall_b.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

# Egress allow-list (TLS SNI and HTTP Host): listed domains pass, other HTTP and TLS to
# the internet is dropped; other egress falls to the default action.
resource "aws_networkfirewall_rule_group" "egress_domains" {
  #checkov:skip=CKV_AWS_345:Encrypted with var.kms_key_id when given; AWS-owned keys otherwise.
  # Capacity is fixed at creation: a new capacity is a new group (its name says it),
  # created and swapped into the policy before the old one is deleted.
  name     = "${var.name_prefix}-egress-domains-100"
  type     = "STATEFUL"
  capacity = 100

  rule_group {
    rules_source {
      rules_source_list {
        generated_rules_type = "ALLOWLIST"
        target_types         = ["HTTP_HOST", "TLS_SNI"]
        targets              = [".amazonaws.com", "updates.example.com"]
      }
    }
    stateful_rule_options {
      rule_order = "STRICT_ORDER"
    }
  }

  dynamic "encryption_configuration" {
    for_each = var.kms_key_id == null ? [] : [var.kms_key_id]
    content {
      key_id = encryption_configuration.value
      type   = "CUSTOMER_KMS"
    }
  }

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-egress-domains"
  })

  lifecycle {
    create_before_destroy = true
  }
}

# The blueprint's rule strings (Suricata), in strict order.
resource "aws_networkfirewall_rule_group" "rules" {
  #checkov:skip=CKV_AWS_345:Encrypted with var.kms_key_id when given; AWS-owned keys otherwise.
  # Capacity is fixed at creation: a new capacity is a new group (its name says it),
  # created and swapped into the policy before the old one is deleted.
  name     = "${var.name_prefix}-rules-100"
  type     = "STATEFUL"
  capacity = 100

  rule_group {
    rules_source {
      rules_string = "drop tcp $HOME_NET any -> $EXTERNAL_NET 23 (msg:\"no telnet out\"; sid:1000001; rev:1;)"
    }
    stateful_rule_options {
      rule_order = "STRICT_ORDER"
    }
  }

  dynamic "encryption_configuration" {
    for_each = var.kms_key_id == null ? [] : [var.kms_key_id]
    content {
      key_id = encryption_configuration.value
      type   = "CUSTOMER_KMS"
    }
  }

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-rules"
  })

  lifecycle {
    create_before_destroy = true
  }
}

# The inspected flows themselves: one PASS per peer CIDR and port range (sid from the flow
# id), after the allow-list and the rule strings; everything else meets the default action.
resource "aws_networkfirewall_rule_group" "flows" {
  #checkov:skip=CKV_AWS_345:Encrypted with var.kms_key_id when given; AWS-owned keys otherwise.
  # Capacity is fixed at creation: a new capacity is a new group (its name says it),
  # created and swapped into the policy before the old one is deleted.
  name     = "${var.name_prefix}-flows-100"
  type     = "STATEFUL"
  capacity = 100

  rule_group {
    rules_source {
      # flow internet_to_web_tcp
      stateful_rule {
        action = "PASS"
        header {
          protocol         = "TCP"
          source           = "ANY"
          source_port      = "ANY"
          direction        = "FORWARD"
          destination      = "10.0.1.0/24"
          destination_port = "443"
        }
        rule_option {
          keyword  = "sid"
          settings = ["1084766359"]
        }
      }
      # flow internet_to_web_tcp
      stateful_rule {
        action = "PASS"
        header {
          protocol         = "TCP"
          source           = "ANY"
          source_port      = "ANY"
          direction        = "FORWARD"
          destination      = "10.0.2.0/24"
          destination_port = "443"
        }
        rule_option {
          keyword  = "sid"
          settings = ["1479794939"]
        }
      }
    }
    stateful_rule_options {
      rule_order = "STRICT_ORDER"
    }
  }

  dynamic "encryption_configuration" {
    for_each = var.kms_key_id == null ? [] : [var.kms_key_id]
    content {
      key_id = encryption_configuration.value
      type   = "CUSTOMER_KMS"
    }
  }

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-flows"
  })

  lifecycle {
    create_before_destroy = true
  }
}

# Stateless: everything to the stateful engine; stateful: strict order, then the default
# action on established traffic no rule passed.
resource "aws_networkfirewall_firewall_policy" "this" {
  #checkov:skip=CKV_AWS_346:Encrypted with var.kms_key_id when given; AWS-owned keys otherwise.
  name = "${var.name_prefix}-policy"

  firewall_policy {
    stateless_default_actions          = ["aws:forward_to_sfe"]
    stateless_fragment_default_actions = ["aws:forward_to_sfe"]
    stateful_default_actions           = ["aws:drop_established"]
    stateful_engine_options {
      rule_order = "STRICT_ORDER"
    }
    stateful_rule_group_reference {
      priority     = 100
      resource_arn = aws_networkfirewall_rule_group.egress_domains.arn
    }
    stateful_rule_group_reference {
      priority     = 200
      resource_arn = aws_networkfirewall_rule_group.rules.arn
    }
    stateful_rule_group_reference {
      priority     = 300
      resource_arn = aws_networkfirewall_rule_group.flows.arn
    }
  }

  dynamic "encryption_configuration" {
    for_each = var.kms_key_id == null ? [] : [var.kms_key_id]
    content {
      key_id = encryption_configuration.value
      type   = "CUSTOMER_KMS"
    }
  }

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-policy"
  })
}

# Delete protection on by default (var.firewall_delete_protection); subnet and policy
# change protection off: the module adds AZs and updates its own policy.
resource "aws_networkfirewall_firewall" "this" {
  #checkov:skip=CKV_AWS_345:Encrypted with var.kms_key_id when given; AWS-owned keys otherwise.
  name                              = "${var.name_prefix}-firewall"
  firewall_policy_arn               = aws_networkfirewall_firewall_policy.this.arn
  vpc_id                            = aws_vpc.this.id
  delete_protection                 = var.firewall_delete_protection
  firewall_policy_change_protection = false
  subnet_change_protection          = false

  subnet_mapping {
    subnet_id = aws_subnet.firewall_a.id
  }

  subnet_mapping {
    subnet_id = aws_subnet.firewall_b.id
  }

  dynamic "encryption_configuration" {
    for_each = var.kms_key_id == null ? [] : [var.kms_key_id]
    content {
      key_id = encryption_configuration.value
      type   = "CUSTOMER_KMS"
    }
  }

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-firewall"
  })
}

# Network Firewall alert logs (the blueprint's flow-log destination: CloudWatch Logs).
resource "aws_cloudwatch_log_group" "firewall_alert" {
  #checkov:skip=CKV_AWS_158:Encrypted with var.kms_key_id when given; CloudWatch Logs encrypts at rest with AWS-managed keys otherwise.
  name_prefix       = "/aws/network-firewall/${var.name_prefix}-alert-"
  retention_in_days = var.flow_log_retention_days
  kms_key_id        = var.kms_key_id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-firewall-alert"
  })
}

# Network Firewall flow logs (the blueprint's flow-log destination: CloudWatch Logs).
resource "aws_cloudwatch_log_group" "firewall_flow" {
  #checkov:skip=CKV_AWS_158:Encrypted with var.kms_key_id when given; CloudWatch Logs encrypts at rest with AWS-managed keys otherwise.
  name_prefix       = "/aws/network-firewall/${var.name_prefix}-flow-"
  retention_in_days = var.flow_log_retention_days
  kms_key_id        = var.kms_key_id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-firewall-flow"
  })
}

resource "aws_networkfirewall_logging_configuration" "this" {
  firewall_arn = aws_networkfirewall_firewall.this.arn

  logging_configuration {
    log_destination_config {
      log_type             = "ALERT"
      log_destination_type = "CloudWatchLogs"
      log_destination = {
        logGroup = aws_cloudwatch_log_group.firewall_alert.name
      }
    }
    log_destination_config {
      log_type             = "FLOW"
      log_destination_type = "CloudWatchLogs"
      log_destination = {
        logGroup = aws_cloudwatch_log_group.firewall_flow.name
      }
    }
  }
}
