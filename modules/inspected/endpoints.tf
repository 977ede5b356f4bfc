# No gateway VPC endpoints in this blueprint.
