"""The official Kubernetes Python client (Debian's python3-kubernetes) through the gateway.

Run by PythonClientTest: python3 official_client.py KUBECONFIG ECHO_PORT STEP... Each step prints one JSON
line {"step": ..., ...} on stdout; the test reads them. For the followed log the test appends a line to
pod web's log when it reads {"step": "log-following"}, so nothing here waits on a clock.
"""
import json
import sys

from kubernetes import client, config, watch
from kubernetes.stream import portforward, stream


def say(step, **fields):
    print(json.dumps(dict(step=step, **fields)), flush=True)


def list_pods(v1, echo_port):
    pods = v1.list_namespaced_pod("default")
    say("list", names=[pod.metadata.name for pod in pods.items])


def watch_pods(v1, echo_port):
    """From the list's resource version, a pod created after it arrives as ADDED (watch=True on the wire)."""
    pods = v1.list_namespaced_pod("default")
    v1.create_namespaced_pod("default", client.V1Pod(
        metadata=client.V1ObjectMeta(name="made-by-python"),
        spec=client.V1PodSpec(containers=[client.V1Container(name="main", image="stand-in")])))
    for event in watch.Watch().stream(v1.list_namespaced_pod, "default",
                                      resource_version=pods.metadata.resource_version, timeout_seconds=60):
        if event["object"].metadata.name == "made-by-python":
            say("watch", type=event["type"])
            return
    say("watch", type=None)


def follow_logs(v1, echo_port):
    """logs -f (follow=True on the wire): the first line, then one the test appends while we follow."""
    log = v1.read_namespaced_pod_log("web", "default", follow=True, _preload_content=False)
    lines = []
    buffer = b""
    for chunk in log.stream(amt=None, decode_content=False):
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            lines.append(line.decode())
            if len(lines) == 1:
                say("log-following", first=lines[0])
        if len(lines) >= 2:
            break
    log.release_conn()
    say("logs", lines=lines)


def exec_with_stdin(v1, echo_port):
    session = stream(v1.connect_get_namespaced_pod_exec, "web", "default",
                     command=["sh", "-c", "read line; echo \"got $line\"; echo oops >&2; exit 3"],
                     stdin=True, stdout=True, stderr=True, tty=False, _preload_content=False)
    session.write_stdin("hello from python\n")
    stdout, stderr = "", ""
    while session.is_open():
        session.update(timeout=5)
        stdout += session.read_stdout()
        stderr += session.read_stderr()
    session.close()
    say("exec", stdout=stdout, stderr=stderr, code=session.returncode)


def port_forward(v1, echo_port):
    """kubelet's v4.channel.k8s.io port-forward protocol over WebSocket."""
    forward = portforward(v1.connect_get_namespaced_pod_portforward, "web", "default", ports=str(echo_port))
    connection = forward.socket(echo_port)
    connection.setblocking(True)
    connection.sendall(b"ping through port-forward\n")
    received = b""
    while not received.endswith(b"\n"):
        chunk = connection.recv(1024)
        if not chunk:
            break
        received += chunk
    connection.close()
    say("port-forward", received=received.decode(), error=forward.error(echo_port))


STEPS = {"list": list_pods, "watch": watch_pods, "logs": follow_logs, "exec": exec_with_stdin,
         "port-forward": port_forward}

config.load_kube_config(config_file=sys.argv[1])
api = client.CoreV1Api()
for name in sys.argv[3:]:
    STEPS[name](api, int(sys.argv[2]))
