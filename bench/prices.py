"""Every unit price the cost model (bench/cost_model.py) uses, in one place, with the date they were taken.

List prices in US dollars for us-east-1 (US East, N. Virginia), on-demand, without free tiers or discounts, as
written down on PRICES_AS_OF; each names the pricing page it belongs to. Nothing here fetches them: prices change
(DynamoDB's on-demand prices halved in November 2024; Lambda bills the INIT phase of every cold start since
August 2025), so check the pages before budgeting, and change the date with the numbers."""

PRICES_AS_OF = "2026-12-04"
REGION = "us-east-1"

PRICES = {
    # https://aws.amazon.com/api-gateway/pricing/ (REST APIs: the first 333 million requests a month)
    "apigateway_rest_per_million_requests": 3.50,
    "apigateway_cache_per_hour": {"0.5": 0.020, "1.6": 0.038, "6.1": 0.200},  # by cache size in GB
    # https://aws.amazon.com/lambda/pricing/ (Arm, the first 7.5 billion GB-seconds a month)
    "lambda_per_million_requests": 0.20,
    "lambda_arm_per_gb_second": 0.0000133334,
    # https://aws.amazon.com/dynamodb/pricing/on-demand/ (standard table class)
    "dynamodb_per_million_write_units": 0.625,
    "dynamodb_per_million_read_units": 0.125,
    "dynamodb_storage_per_gb_month": 0.25,
    "dynamodb_pitr_per_gb_month": 0.20,
    # https://aws.amazon.com/sqs/pricing/ (standard queues; a request carries up to 64 KB)
    "sqs_per_million_requests": 0.40,
    # https://aws.amazon.com/ses/pricing/ (outbound email)
    "ses_per_thousand_emails": 0.10,
    # https://aws.amazon.com/cloudwatch/pricing/
    "logs_ingest_per_gb": 0.50,
    "logs_storage_per_gb_month": 0.03,
    "custom_metric_per_month": 0.30,  # the first 10,000 metrics; API Gateway's per-method metrics count too
    "alarm_metric_per_month": 0.10,  # standard resolution, per metric an alarm evaluates (metric math: each one)
    "composite_alarm_per_month": 0.50,
    "dashboard_per_month": 3.00,
    "contributor_insights_rule_per_month": 0.50,  # DynamoDB: 2 rules per table or index, 4 with a sort key
    "contributor_insights_per_million_events": 0.03,
    # https://aws.amazon.com/xray/pricing/
    "xray_per_million_traces_recorded": 5.00,
    # https://aws.amazon.com/secrets-manager/pricing/
    "secret_per_month": 0.40,
    "secrets_per_10k_calls": 0.05,
    # https://aws.amazon.com/waf/pricing/
    "waf_web_acl_per_month": 5.00,
    "waf_rule_per_month": 1.00,
    "waf_per_million_requests": 0.60,
    # https://stripe.com/pricing (domestic cards, United States): per successful charge
    "stripe_card_percent": 0.029,
    "stripe_card_fixed": 0.30,
}
