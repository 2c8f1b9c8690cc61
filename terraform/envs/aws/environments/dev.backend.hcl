# terraform init -reconfigure -backend-config=environments/dev.backend.hcl
# The state bucket is created once per account, outside this stack (terraform/README.md).
bucket       = "location-detection-tfstate-dev"
key          = "location-detector/dev.tfstate"
region       = "eu-west-1"
encrypt      = true
use_lockfile = true
