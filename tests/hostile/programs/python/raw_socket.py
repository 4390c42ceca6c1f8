# attack: raw and packet sockets (need CAP_NET_RAW: ping sweeps, spoofed packets, sniffing)
# expect: wrong_answer
# local-needs: bwrap
import socket


def double(x):
    opened = []
    for family, kind, proto in [
        (socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP),
        (socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW),
        (getattr(socket, "AF_PACKET", 17), socket.SOCK_RAW, 0x0300),
        (socket.AF_NETLINK, socket.SOCK_RAW, 0),
    ]:
        try:
            raw = socket.socket(family, kind, proto)
        except OSError:
            continue
        if family == socket.AF_NETLINK:
            raw.close()  # any user may open a netlink socket; it is no escape by itself
            continue
        opened.append(f"{family}/{kind}/{proto}")
        raw.close()
    return ("ESCAPED raw sockets " + ", ".join(opened)) if opened else "blocked"
