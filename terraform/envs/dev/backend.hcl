# terraform init -backend-config=backend.hcl (the state bucket is created once, outside this stack).
bucket       = "location-detection-tfstate-dev"
key          = "location-detector/dev.tfstate"
region       = "eu-west-1"
encrypt      = true
use_lockfile = true
