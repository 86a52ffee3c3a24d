"""The local stack: moto's server as the embedded AWS, provisioned from infra/template.yaml."""
