"""The demo community a newcomer's first command seeds (``si-hub seed-demo``)."""
