"""Operations run against a deployed stage (never shipped to Lambda)."""
