// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stands in for the dma_fence tracepoints: each is a short array of
 * probes that tests register and that firing calls in turn.  Limits: at
 * most SHIM_TRACE_MAX_PROBES probes per tracepoint, and no trace buffer.
 */
#include <trace/events/dma_fence.h>

#include "internal.h"

static pthread_mutex_t trace_lock = PTHREAD_MUTEX_INITIALIZER;

struct shim_tracepoint shim_tp_dma_fence_emit;
struct shim_tracepoint shim_tp_dma_fence_init;
struct shim_tracepoint shim_tp_dma_fence_destroy;
struct shim_tracepoint shim_tp_dma_fence_enable_signal;
struct shim_tracepoint shim_tp_dma_fence_signaled;
struct shim_tracepoint shim_tp_dma_fence_wait_start;
struct shim_tracepoint shim_tp_dma_fence_wait_end;

void shim_trace_fire(struct shim_tracepoint *tp, struct dma_fence *fence)
{
	shim_fence_probe_t probes[SHIM_TRACE_MAX_PROBES];
	void *data[SHIM_TRACE_MAX_PROBES];
	int i, n;

	pthread_mutex_lock(&trace_lock);
	n = tp->count;
	memcpy(probes, tp->probes, sizeof(probes));
	memcpy(data, tp->data, sizeof(data));
	pthread_mutex_unlock(&trace_lock);
	for (i = 0; i < n; i++)
		probes[i](data[i], fence);
}

int shim_trace_register(struct shim_tracepoint *tp, shim_fence_probe_t probe,
			void *data)
{
	int ret = -ENOMEM;

	pthread_mutex_lock(&trace_lock);
	if (tp->count < SHIM_TRACE_MAX_PROBES) {
		tp->probes[tp->count] = probe;
		tp->data[tp->count] = data;
		__atomic_store_n(&tp->count, tp->count + 1, __ATOMIC_RELEASE);
		ret = 0;
	}
	pthread_mutex_unlock(&trace_lock);
	return ret;
}

int shim_trace_unregister(struct shim_tracepoint *tp,
			  shim_fence_probe_t probe, void *data)
{
	int i, ret = -ENOENT;

	pthread_mutex_lock(&trace_lock);
	for (i = 0; i < tp->count; i++) {
		if (tp->probes[i] != probe || tp->data[i] != data)
			continue;
		tp->probes[i] = tp->probes[tp->count - 1];
		tp->data[i] = tp->data[tp->count - 1];
		__atomic_store_n(&tp->count, tp->count - 1, __ATOMIC_RELEASE);
		ret = 0;
		break;
	}
	pthread_mutex_unlock(&trace_lock);
	return ret;
}
