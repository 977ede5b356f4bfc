# No NAT gateways: the blueprint sets nat = "none".
