"""The outside world as domain calls: DynamoDB tables, the SNS publisher, the SQS consumer."""
