terraform {
  required_version = ">= 1.9"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
  # State lives beside the emulator's pid and log (.local/, gitignored): it describes that
  # emulator process only, and `make local-down` removes it with the emulator.
  backend "local" {
    path = "../../../.local/terraform.tfstate"
  }
}
