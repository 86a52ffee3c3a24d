"""Payments: the order service's payment provider (Stripe), behind the port in ports.py."""
