# terraform init -reconfigure -backend-config=environments/prod.backend.hcl
# The state bucket is created once per account, outside this stack (terraform/README.md).
bucket       = "location-detection-tfstate-prod"
key          = "location-detector/prod.tfstate"
region       = "eu-west-1"
encrypt      = true
use_lockfile = true
