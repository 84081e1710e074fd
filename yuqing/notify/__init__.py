"""Notifications: email and group-robot webhooks (DingTalk, WeCom, Feishu), signed, retried with
backoff, never blocking the caller. See ``config/notify.yaml``.

    dispatcher = Dispatcher.from_config()
    dispatcher.submit(alert_notice(alert, dispatcher.config.base_url), on_result=record)
    dispatcher.close()
"""

from yuqing.notify.channels import CHANNEL_TYPES, Channel, DeliveryError, register_channel
from yuqing.notify.config import DEFAULT_PATH, NotifyConfig, load_config
from yuqing.notify.dispatcher import Dispatcher
from yuqing.notify.notice import DeliveryResult, Notice

__all__ = [
    "CHANNEL_TYPES",
    "Channel",
    "DEFAULT_PATH",
    "DeliveryError",
    "DeliveryResult",
    "Dispatcher",
    "Notice",
    "NotifyConfig",
    "load_config",
    "register_channel",
]
