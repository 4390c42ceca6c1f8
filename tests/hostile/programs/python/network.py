# attack: reach the network: DNS, TCP to public and private addresses (the Docker host's gateway,
#   the engine's API port, loopback services), UDP, an abstract Unix socket; returns ESCAPED and
#   what worked if anything did
# expect: wrong_answer
# local-needs: bwrap
import socket


def _tcp(host, port):
    try:
        socket.create_connection((host, port), timeout=0.5).close()
        return f"tcp {host}:{port}"
    except OSError:
        return None


def double(x):
    worked = []
    try:
        worked.append("dns " + socket.gethostbyname("example.com"))
    except OSError:
        pass
    for host, port in [
        ("1.1.1.1", 53),
        ("8.8.8.8", 443),
        ("172.17.0.1", 2375),
        ("172.17.0.1", 2376),
        ("127.0.0.1", 2375),
        ("127.0.0.1", 22),
        ("169.254.169.254", 80),
        ("10.0.2.2", 80),
    ]:
        found = _tcp(host, port)
        if found:
            worked.append(found)
    try:
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.settimeout(0.5)
        udp.sendto(b"\0" * 12, ("1.1.1.1", 53))
        udp.recvfrom(512)
        worked.append("udp 1.1.1.1:53")
    except OSError:
        pass
    try:
        unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        unix.settimeout(0.5)
        unix.connect("/var/run/docker.sock")
        worked.append("docker.sock")
    except OSError:
        pass
    interfaces = [name for _, name in socket.if_nameindex() if name != "lo"]
    if interfaces:
        worked.append("interfaces " + ",".join(interfaces))
    return ("ESCAPED " + "; ".join(worked)) if worked else "blocked"
