{
  "targets": [
    {
      "target_name": "netlink_ops",
      "sources": ["native/netlink_ops.c"],
      "cflags": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-fvisibility=hidden"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
