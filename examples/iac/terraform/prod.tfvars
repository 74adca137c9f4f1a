queue_sse = true
