/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tracepoints for the life of a dma_fence: creation, emission to hardware,
 * signaling being enabled, completion, waits and destruction.  Every event
 * records the same four fields, so a trace can be filtered per timeline
 * with "context == N" and followed fence by fence with "seqno == M".
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM dma_fence

#if !defined(_TRACE_DMA_FENCE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_DMA_FENCE_H

#include <linux/dma-fence.h>
#include <linux/tracepoint.h>

/*
 * Names go through dma_fence_driver_name() and dma_fence_timeline_name():
 * a fence may be traced (waited on, destroyed) after the module that made it
 * is gone, and those accessors never call into a signaled fence's driver.
 */
DECLARE_EVENT_CLASS(dma_fence,
		    TP_PROTO(struct dma_fence *fence),
		    TP_ARGS(fence),
		    TP_STRUCT__entry(__field(u64, context)
				     __field(u64, seqno)
				     __string(driver, dma_fence_driver_name(fence))
				     __string(timeline,
					      dma_fence_timeline_name(fence))),
		    TP_fast_assign(__entry->context = fence->context;
				   __entry->seqno = fence->seqno;
				   __assign_str(driver,
						dma_fence_driver_name(fence));
				   __assign_str(timeline,
						dma_fence_timeline_name(fence));),
		    TP_printk("driver=%s timeline=%s context=%llu seqno=%llu",
			      __get_str(driver), __get_str(timeline),
			      __entry->context, __entry->seqno)
);

#define DEFINE_DMA_FENCE_EVENT(name)				\
	DEFINE_EVENT(dma_fence, name,				\
		     TP_PROTO(struct dma_fence *fence),		\
		     TP_ARGS(fence))

/* A driver handed the fence's job to its hardware (drivers fire it). */
DEFINE_DMA_FENCE_EVENT(dma_fence_emit);
DEFINE_DMA_FENCE_EVENT(dma_fence_init);
DEFINE_DMA_FENCE_EVENT(dma_fence_destroy);
DEFINE_DMA_FENCE_EVENT(dma_fence_enable_signal);
DEFINE_DMA_FENCE_EVENT(dma_fence_signaled);
DEFINE_DMA_FENCE_EVENT(dma_fence_wait_start);
DEFINE_DMA_FENCE_EVENT(dma_fence_wait_end);

#endif /* _TRACE_DMA_FENCE_H */

/* This part must be outside the multi-read guard. */
#include <trace/define_trace.h>
