"""botocore sessions and clients for the shop (boto3 would only add its resource layer and s3transfer to every
cold start).

Every session shares one data loader that finds services cheaply: botocore's own loader, before it loads any
model, checks every one of its ~400 service directories (`isdir`, `listdir` of its versions, a look for the
model file in each) to list the services that exist — about 20 ms of each cold start, paid again for the endpoint
rules. This one takes each directory name in its search paths for a service (one `listdir` per path); a
directory without the model asked for still fails, as DataNotFoundError. Any service works, including the STS and
SSO clients botocore's credential providers make through the same session. The shared loader also keeps the
endpoints and models it has read, so a function's second client does not parse them again. Its search path is
fixed by the first session (AWS_DATA_PATH is read then, as botocore reads it once per session).
"""

import os
import threading
from typing import Optional

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

    config = Config(
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=2,
        read_timeout=10,
        tcp_keepalive=True,
    )
    return session().create_client(service, region_name=region, config=config)


def _shared_loader(data_path: Optional[str]):
    global _loader
    with _lock:
        if _loader is None:
            from botocore.loaders import Loader

            class DirectoryNames(Loader):
                def list_available_services(self, type_name):
                    names = set()
                    for path in self.search_paths:
                        if os.path.isdir(path):
                            names.update(os.listdir(path))
                    return sorted(names)

            # the search path botocore's create_loader builds from AWS_DATA_PATH
            extra = (
                [os.path.expanduser(os.path.expandvars(p)) for p in data_path.split(os.pathsep)]
                if data_path
                else []
            )
            _loader = DirectoryNames(extra_search_paths=extra)
        return _loader
