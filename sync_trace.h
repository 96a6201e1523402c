/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The sw_sync tracepoint: sync_trace:sync_timeline fires at each step of
 * SW_SYNC_IOC_INC, before the timeline moves, with the timeline's name
 * and its value then.  Layout and format are what trace tools parse.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM sync_trace

#if !defined(_TRACE_SYNC_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_SYNC_H

#include <linux/tracepoint.h>

#include "sync_debug.h"

TRACE_EVENT(sync_timeline,
	    TP_PROTO(struct sync_timeline *timeline),
	    TP_ARGS(timeline),
	    TP_STRUCT__entry(__string(name, timeline->name)
			     __field(u32, value)),
	    TP_fast_assign(__assign_str(name, timeline->name);
			   __entry->value = timeline->value;),
	    TP_printk("name=%s value=%d", __get_str(name), __entry->value)
);

#endif /* _TRACE_SYNC_H */

/*
 * Outside the guard: define_trace.h reads this header again, from the
 * directory the Makefile adds to sw_sync.o's include path.
 */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE sync_trace
#include <trace/define_trace.h>
