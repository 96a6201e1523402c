/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tracepoints for the life of a dma_fence: creation, emission to hardware,
 * signaling being enabled, completion, waits and destruction.  Every event
 * records the fence's driver and timeline names and its context and seqno,
 * laid out and printed as in 6.1 (trace parsers read the format file):
 * the two names first, then context and seqno as unsigned int, "%u".  A
 * trace can be filtered per timeline with "context == N" and followed
 * fence by fence with "seqno == M".
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM dma_fence

#if !defined(_TRACE_DMA_FENCE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_DMA_FENCE_H

#include <linux/dma-fence.h>
#include <linux/tracepoint.h>

/*
 * The names come from the fence's driver, through its ops, whatever the
 * fence's state: the caller of each event holds a reference on the fence,
 * which keeps its ops valid for the call.
 */
DECLARE_EVENT_CLASS(dma_fence,
		    TP_PROTO(struct dma_fence *fence),
		    TP_ARGS(fence),
		    TP_STRUCT__entry(__string(driver,
					      fence->ops->get_driver_name(fence))
				     __string(timeline,
					      fence->ops->get_timeline_name(fence))
				     __field(unsigned int, context)
				     __field(unsigned int, seqno)),
		    TP_fast_assign(__assign_str(driver,
						fence->ops->get_driver_name(fence));
				   __assign_str(timeline,
						fence->ops->get_timeline_name(fence));
				   __entry->context = fence->context;
				   __entry->seqno = fence->seqno;),
		    TP_printk("driver=%s timeline=%s context=%u seqno=%u",
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

#ifdef CONFIG_DMA_FENCE_DEBUG
/*
 * The stuck-fence watchdog found @fence depended on for @age_ms, longer
 * than dma_fence.stuck_timeout_ms.  @desc is the fence's entry of debugfs
 * dma_buf/pending_fences, its lines joined by "; ".
 */
TRACE_EVENT(dma_fence_stuck,
	    TP_PROTO(struct dma_fence *fence, u64 age_ms, const char *desc),
	    TP_ARGS(fence, age_ms, desc),
	    TP_STRUCT__entry(__string(driver,
				      fence->ops->get_driver_name(fence))
			     __string(timeline,
				      fence->ops->get_timeline_name(fence))
			     __field(unsigned int, context)
			     __field(unsigned int, seqno)
			     __field(u64, age_ms)
			     __string(desc, desc)),
	    TP_fast_assign(__assign_str(driver,
					fence->ops->get_driver_name(fence));
			   __assign_str(timeline,
					fence->ops->get_timeline_name(fence));
			   __entry->context = fence->context;
			   __entry->seqno = fence->seqno;
			   __entry->age_ms = age_ms;
			   __assign_str(desc, desc);),
	    TP_printk("driver=%s timeline=%s context=%u seqno=%u age_ms=%llu desc=%s",
		      __get_str(driver), __get_str(timeline),
		      __entry->context, __entry->seqno, __entry->age_ms,
		      __get_str(desc))
);
#endif

#endif /* _TRACE_DMA_FENCE_H */

/* This part must be outside the multi-read guard. */
#include <trace/define_trace.h>
