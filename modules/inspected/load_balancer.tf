# Tier web: an internet-facing application load balancer, a proxy to tier app on 8443.
# Its own group admits the internet on the listener ports and reaches only tier app's group;
# tier app's group admits this group, not tier web's.
resource "aws_security_group" "lb_web" {
  name_prefix            = "${var.name_prefix}-lb-web-"
  description            = "Load balancer of tier web of inspected"
  vpc_id                 = aws_vpc.this.id
  revoke_rules_on_delete = true

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-lb-web"
  })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "lb__web_from_internet_tcp_443" {
  security_group_id = aws_security_group.lb_web.id
  description       = "lb_web: internet to the application load balancer tcp 443"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-lb-web-from-internet-tcp-443"
  })
}

resource "aws_vpc_security_group_egress_rule" "lb__web_to_app_tcp_8443" {
  security_group_id            = aws_security_group.lb_web.id
  description                  = "lb_web: load balancer to app target tcp 8443"
  ip_protocol                  = "tcp"
  from_port                    = 8443
  to_port                      = 8443
  referenced_security_group_id = aws_security_group.app.id

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-lb-web-to-app-tcp-8443"
  })
}

resource "aws_lb" "lb_web" {
  #checkov:skip=CKV_AWS_150:Deletion protection is left to the caller: the module must be destroyable as a whole (set it on the deployed LB if wanted).
  #checkov:skip=CKV_AWS_91:The blueprint names no access_logs_bucket: access logs need an existing bucket whose policy admits the ELB service; the VPC flow logs record the LB's connections.
  #checkov:skip=CKV2_AWS_28:A WAF web ACL holds application rules: the caller associates one with this ALB (aws_wafv2_web_acl_association).
  #checkov:skip=CKV2_AWS_76:A WAF web ACL (and its Log4j rule set) is the caller's, associated with this ALB.
  internal                   = false
  load_balancer_type         = "application"
  subnets                    = [aws_subnet.web_a.id, aws_subnet.web_b.id]
  security_groups            = [aws_security_group.lb_web.id]
  drop_invalid_header_fields = true

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-lb-web"
  })
}

# Targets are registered by IP address (the caller's job: see the target group output).
resource "aws_lb_target_group" "lb_web" {
  port        = 8443
  protocol    = "HTTPS"
  target_type = "ip"
  vpc_id      = aws_vpc.this.id

  health_check {
    enabled  = true
    protocol = "HTTPS"
    port     = "8443"
    path     = "/healthz"
  }

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-lb-web-targets"
  })
}

resource "aws_lb_listener" "lb_web_443" {
  load_balancer_arn = aws_lb.lb_web.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.lb_web.arn
  }

  tags = merge(local.tags, {
    Name = "${var.name_prefix}-lb-web-443"
  })
}
