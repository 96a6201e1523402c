/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The dma_fence tracepoints, without tracefs: each event keeps a short
 * list of probes that trace_<event>() calls, so that tests can register
 * probes and count events as they would in the kernel.
 */
#ifndef SHIM_TRACE_EVENTS_DMA_FENCE_H
#define SHIM_TRACE_EVENTS_DMA_FENCE_H

#include <linux/kernel.h>

struct dma_fence;

typedef void (*shim_fence_probe_t)(void *data, struct dma_fence *fence);

#define SHIM_TRACE_MAX_PROBES 4

/**
 * struct shim_tracepoint - one event and its probes
 * @count: probes registered; read locklessly to skip the lock when 0
 * @probes: the probe functions, under the shim's trace lock
 * @data: their data arguments
 */
struct shim_tracepoint {
	int count;
	shim_fence_probe_t probes[SHIM_TRACE_MAX_PROBES];
	void *data[SHIM_TRACE_MAX_PROBES];
};

void shim_trace_fire(struct shim_tracepoint *tp, struct dma_fence *fence);
int shim_trace_register(struct shim_tracepoint *tp, shim_fence_probe_t probe,
			void *data);
int shim_trace_unregister(struct shim_tracepoint *tp,
			  shim_fence_probe_t probe, void *data);
#define tracepoint_synchronize_unregister() synchronize_rcu()

#define SHIM_FENCE_EVENT(event)						\
extern struct shim_tracepoint shim_tp_##event;				\
static inline bool trace_##event##_enabled(void)			\
{									\
	return __atomic_load_n(&shim_tp_##event.count, __ATOMIC_ACQUIRE); \
}									\
static inline void trace_##event(struct dma_fence *fence)		\
{									\
	if (trace_##event##_enabled())					\
		shim_trace_fire(&shim_tp_##event, fence);		\
}									\
static inline int register_trace_##event(shim_fence_probe_t p, void *d)	\
{									\
	return shim_trace_register(&shim_tp_##event, p, d);		\
}									\
static inline int unregister_trace_##event(shim_fence_probe_t p, void *d) \
{									\
	return shim_trace_unregister(&shim_tp_##event, p, d);		\
}

SHIM_FENCE_EVENT(dma_fence_emit)
SHIM_FENCE_EVENT(dma_fence_init)
SHIM_FENCE_EVENT(dma_fence_destroy)
SHIM_FENCE_EVENT(dma_fence_enable_signal)
SHIM_FENCE_EVENT(dma_fence_signaled)
SHIM_FENCE_EVENT(dma_fence_wait_start)
SHIM_FENCE_EVENT(dma_fence_wait_end)

#define EXPORT_TRACEPOINT_SYMBOL(name) SHIM_FILE_SCOPE_NOP
#define EXPORT_TRACEPOINT_SYMBOL_GPL(name) SHIM_FILE_SCOPE_NOP

#endif /* SHIM_TRACE_EVENTS_DMA_FENCE_H */
