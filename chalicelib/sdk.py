"""botocore sessions and clients for the shop (boto3 would only add its resource layer and s3transfer to every
cold start).

Every session shares one data loader that is told which services the shop uses: botocore's own loader, before it
loads any model, lists all of its ~400 service directories and every version directory in them to check that the
service exists — about 20 ms of each cold start, paid again for the endpoint rules. The shared loader also keeps
the endpoints and models it has read, so a function's second client does not parse them again.
"""
import os
import threading
from typing import Optional

SERVICES = ("cognito-idp", "dynamodb", "secretsmanager", "ses", "sqs")  # every client the functions create

_lock = threading.Lock()
_loader = None


def session():
    """A new botocore session (sessions are not shared between threads) with the shop's data loader."""
    import botocore.session
    made = botocore.session.get_session()
    made.register_component("data_loader", _shared_loader(made.get_config_variable("data_path")))
    return made


def client(service: str, region: str):
    """A client with the shop's timeouts and retries (standard mode: jittered, bounded)."""
    from botocore.config import Config
    if service not in SERVICES:
        raise ValueError(f"{service} is not in sdk.SERVICES")
    config = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=10,
                    tcp_keepalive=True)
    return session().create_client(service, region_name=region, config=config)


def _shared_loader(data_path: Optional[str]):
    global _loader
    with _lock:
        if _loader is None:
            from botocore.loaders import Loader

            class KnownServices(Loader):
                def list_available_services(self, type_name):
                    return list(SERVICES)

            # the search path botocore's create_loader builds from AWS_DATA_PATH
            extra = [os.path.expanduser(os.path.expandvars(p)) for p in data_path.split(os.pathsep)] if data_path else []
            _loader = KnownServices(extra_search_paths=extra)
        return _loader
