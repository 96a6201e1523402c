// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reservation objects: the fences guarding a shared buffer, and the locking
 * that lets drivers update them while anyone else looks at them.
 */

/**
 * DOC: Reservation Object Overview
 *
 * A &struct dma_resv keeps the fences of every pending access to one buffer,
 * each with a &enum dma_resv_usage saying what it orders.  Whoever wants to
 * touch the buffer waits for the fences of the usage it depends on (see
 * dma_resv_usage_rw()) and then adds its own fence for others to wait on.
 *
 * Storage: one array of slots, each one word: the fence pointer with its
 * usage in the two low bits.  A fence added takes the place of a fence of
 * the same context when that one is no later and was stored with the same
 * or a weaker usage (so that whoever waited for the old fence now waits for
 * the new one), or the place of a fence that has signaled; otherwise it
 * takes a new slot behind the others.  A write followed by a read of one
 * timeline thus stays two fences, and waiters for writes do not wait for
 * the read.  Fences are never moved inside an array: a slot only ever
 * changes with one store.
 *
 * Writers hold &dma_resv.lock, a wound/wait mutex so that drivers can lock
 * all buffers of a job in any order and back off on -EDEADLK.  Adding never
 * allocates: dma_resv_reserve_fences() makes room first, and may move the
 * fences into a bigger array, dropping the signaled ones on the way.  An
 * add looks at the slots in order, whatever the array's size, and takes
 * the first that it may take, asking each fence before it whether it
 * signaled: which slot is chosen, and which drivers' signaled() hooks are
 * asked, depends only on the fences stored and their order.
 *
 * A locked walk lists signaled fences too, until the array moves.  An
 * array has as many slots as the slab allocator's rounding up of the
 * request leaves room for, and a reservation moves it only when the
 * fences stored and the new ones exceed that; so what a locked walk lists
 * follows from the calls made, with %CONFIG_DEBUG_MUTEXES or without.
 * With it, unlocking lowers the limit adds are checked
 * against to the fences stored, so that an add without a reservation in
 * the same locked section is caught; the array itself stays, and a
 * lock-free wait stays bounded by the fences it found.
 *
 * Lock-free readers never take the lock and never wait for a writer: they
 * work from any context, hard interrupts included.  A reader takes the
 * array and its number of fences as they are when it starts and looks at
 * those slots under RCU.  Each slot it reads holds a fence that was stored
 * there at some moment of the walk; fences the object gets afterwards, in
 * new slots or in place of those read, are not waited for.  A walk starts
 * over only when the object moves to a new array, or when a fence it
 * reads was released meanwhile (it was replaced and has signaled); the
 * unlocked iterators report that with dma_resv_iter_is_restarted().
 * Changes that have to look atomic (dropping the signaled fences, a copy,
 * a new exclusive fence) publish a new array.
 *
 * The classic interface of &struct reservation_object (one exclusive fence,
 * many shared ones) is a view over the same object: exclusive means
 * %DMA_RESV_USAGE_WRITE (and stronger), shared means %DMA_RESV_USAGE_READ.
 */

/*
 * Terms used in this file:
 *
 * slot:	one word of an array: a fence pointer, holding a reference,
 *		or'ed with the &enum dma_resv_usage it is stored with (fences
 *		are aligned, so the low bits are free); 0 for an empty slot.
 *		dma-resv.h defines the encoding: dma_resv_slot_pack(),
 *		dma_resv_slot_fence() and dma_resv_slot_usage().
 * array:	&struct dma_resv_list, the object's slots; published with RCU.
 * supersede:	a fence supersedes a slot when the slot's waiters may wait
 *		for the fence instead: the slot holds the fence itself or an
 *		earlier one of its context, with a usage no stronger than the
 *		fence's (slot_supersedes()).  This is the only rule by
 *		which a fence takes the place of a pending one.
 * take:	an add takes the first slot that is empty, superseded or
 *		signaled (slot_takes()), else a new one behind the others.
 * reserve:	make sure the next adds find a new slot without allocating;
 *		the limit (max_fences) is how far they may fill the array.
 * move:	publish a new array in place of the old one (list_regrow(),
 *		a copy, a new exclusive fence).  Every other change is one
 *		store to one slot.
 * pass:	one lock-free walk over the slots of one array, as many as
 *		were in use when it began; the array's generation tells the
 *		reader whether the object moved meanwhile.
 */

#include <linux/dma-fence-array.h>
#include <linux/dma-fence-unwrap.h>
#include <linux/dma-resv.h>
#include <linux/export.h>
#include <linux/fs.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/overflow.h>
#include <linux/reservation.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

/**
 * struct dma_resv_list - the array behind &dma_resv.fences
 * @rcu: frees the array after lock-free readers are done with it
 * @capacity: number of slots (see list_slots()); fixed for the array's life
 * @max_fences: how far adds may fill the array without a new reservation.
 *	@capacity, except that with %CONFIG_DEBUG_MUTEXES unlocking lowers it
 *	to @num_fences until the next reservation.
 * @num_fences: slots [0, @num_fences) are in use.  Only grows while the
 *	array is published, with a release store that lock-free readers pair
 *	with an acquire load: the slot it grows over is written before.
 * @generation: tells this array from every other allocated at the same
 *	address (see list_alloc()); fixed for the array's life, so readers
 *	may read it for as long as they may read the slots.
 * @slots: each a fence pointer (holding a reference) or'ed with its usage,
 *	or 0 for a slot emptied by dma_resv_replace_fences(); written with
 *	the object locked, one store per change, read under RCU
 *
 * @capacity and @max_fences are for writers only, and only while the array
 * is live: they share their bytes with @rcu, which kfree_rcu() takes once
 * the array is out of use, which keeps the header at a struct rcu_head and
 * two counters (LIST_HEADER_SIZE).
 */
struct dma_resv_list {
	union {
		struct rcu_head rcu;
		struct {
			unsigned int capacity;
			unsigned int max_fences;
		};
	};
	unsigned int num_fences;
	unsigned int generation;
	unsigned long slots[];
};

DEFINE_WW_CLASS(reservation_ww_class);
EXPORT_SYMBOL(reservation_ww_class);

static const char * const usage_names[] = {
	[DMA_RESV_USAGE_KERNEL] = "kernel",
	[DMA_RESV_USAGE_WRITE] = "write",
	[DMA_RESV_USAGE_READ] = "read",
	[DMA_RESV_USAGE_BOOKKEEP] = "bookkeep",
};

static struct dma_resv_list *resv_list(struct dma_resv *obj)
{
	return rcu_dereference_protected(obj->fences, dma_resv_held(obj));
}

/* Reader side, under RCU: how many slots of @list are in use. */
static unsigned int read_count(struct dma_resv_list *list)
{
	/* Pairs with the release in slot_append(). */
	return list ? smp_load_acquire(&list->num_fences) : 0;
}

/*
 * Reader side, under RCU: the generation of @list, 0 for none.  An array
 * may have generation 0 too: read_moved() compares the pointers first.
 */
static unsigned int read_generation(struct dma_resv_list *list)
{
	return list ? READ_ONCE(list->generation) : 0;
}

/*
 * Reader side, under RCU: has @obj moved to another array than @list, of
 * @generation, read before the slots?  A walk that spans several
 * read-side sections needs the generation: @list may have been freed
 * between them and its memory be the object's array again.
 */
static bool read_moved(struct dma_resv *obj, struct dma_resv_list *list,
		       unsigned int generation)
{
	struct dma_resv_list *now;

	/* The slots are read before the pointer that vouches for them. */
	smp_rmb();
	now = rcu_dereference(obj->fences);
	return now != list || read_generation(now) != generation;
}

/* ---- arrays ---- */

/*
 * An array is allocated in one kmalloc() for the fences requested, and
 * takes every slot that the slab's rounding up of that size leaves room
 * for.  Sizes are reckoned with the kernel's header, a struct rcu_head (two
 * pointers) and two counters, written out rather than taken with sizeof()
 * so that they are the same where the header is larger (the userspace
 * build of the tests).
 */
#define LIST_HEADER_SIZE (2 * sizeof(void *) + 2 * sizeof(u32))
#define LIST_SLOT_SIZE sizeof(unsigned long)

/*
 * The number of slots of an array for @request fences, or 0 when it is too
 * large to allocate.
 */
static unsigned int list_slots(unsigned long request)
{
	if (request > (KMALLOC_MAX_SIZE - LIST_HEADER_SIZE) / LIST_SLOT_SIZE)
		return 0;
	return (kmalloc_size_roundup(LIST_HEADER_SIZE +
				     request * LIST_SLOT_SIZE) -
		LIST_HEADER_SIZE) / LIST_SLOT_SIZE;
}

static atomic_t list_generations = ATOMIC_INIT(0);

/*
 * An empty array of list_slots(@request) slots, its limit its size.  The
 * slots are left as they come: nobody reads a slot at or beyond
 * @num_fences, and a slot is written before @num_fences grows over it.
 */
static struct dma_resv_list *list_alloc(unsigned long request, gfp_t gfp)
{
	unsigned int capacity = list_slots(request);
	struct dma_resv_list *list;
	size_t size = struct_size(list, slots, capacity);

	BUILD_BUG_ON(offsetof(struct dma_resv_list, slots) !=
		     sizeof(struct rcu_head) + 2 * sizeof(u32));
	if (!capacity || size > KMALLOC_MAX_SIZE)
		return NULL;
	list = kmalloc(size, gfp);
	if (!list)
		return NULL;
	list->num_fences = 0;
	list->max_fences = capacity;
	list->capacity = capacity;
	/*
	 * Arrays take their generations from one counter: a reader mistakes
	 * a new array at the same address for one it walked only if the
	 * counter wrapped in between, which takes 2^32 allocations.
	 */
	list->generation = atomic_inc_return(&list_generations);
	return list;
}

/* Drop every fence of an array nobody can reach any more, then the array. */
static void list_free(struct dma_resv_list *list)
{
	unsigned int i;

	for (i = 0; i < list->num_fences; i++)
		dma_fence_put(dma_resv_slot_fence(list->slots[i]));
	kfree_rcu(list, rcu);
}

/*
 * Make @list, filled, the object's array.  Lock-free readers
 * of the array it replaces notice at the end of their walk and start over
 * on @list.  Returns the old array, whose references the caller drops
 * (those not moved over) before freeing it with kfree_rcu().
 */
static struct dma_resv_list *list_publish(struct dma_resv *obj,
					  struct dma_resv_list *list)
{
	struct dma_resv_list *old = resv_list(obj);

	rcu_assign_pointer(obj->fences, list);
	return old;
}

/* The lock is held: lockdep need not be asked for every slot. */
static bool slot_signaled(unsigned long slot)
{
	return test_bit(DMA_FENCE_FLAG_SIGNALED_BIT,
			&dma_resv_slot_fence(slot)->flags);
}

/*
 * Move the unsignaled fences, in order, into a new array for @request
 * fences, which must be at least the number of fences stored now, and
 * publish it.  The references move with the fences; the signaled ones
 * are dropped, those whose driver says so without the flag set too.
 */
static int list_regrow(struct dma_resv *obj, unsigned long request,
		       gfp_t gfp)
{
	struct dma_resv_list *old = resv_list(obj), *list;
	unsigned int i, n = 0;

	list = list_alloc(request, gfp);
	if (!list)
		return -ENOMEM;
	if (!old) {
		list_publish(obj, list);
		return 0;
	}
	for (i = 0; i < old->num_fences; i++) {
		unsigned long slot = old->slots[i];

		if (slot && !dma_fence_is_signaled(dma_resv_slot_fence(slot)))
			list->slots[n++] = slot;
	}
	list->num_fences = n;
	list_publish(obj, list);

	/*
	 * The new array is the old one minus the dropped fences, in order;
	 * when nothing was dropped, every reference moved.
	 */
	for (i = 0, n = 0; list->num_fences < old->num_fences &&
	     i < old->num_fences; i++) {
		if (n < list->num_fences && list->slots[n] == old->slots[i])
			n++;
		else
			dma_fence_put(dma_resv_slot_fence(old->slots[i]));
	}
	kfree_rcu(old, rcu);
	return 0;
}

/*
 * Put @slot (or nothing, for 0) in the slot at @pos, one in use, in one
 * store: lock-free readers see the slot before or after.  The fence that
 * was there loses the object's reference; a reader that read it before
 * holds its own or fails to take one and starts over.
 */
static __always_inline void slot_set(unsigned long *pos, unsigned long slot)
{
	unsigned long old = *pos;

	/* Whatever made the fence is seen before the pointer to it. */
	smp_store_release(pos, slot);
	if (old)
		dma_fence_put(dma_resv_slot_fence(old));
}

/* Put @slot in a new slot behind the last, which the caller made room for. */
static void slot_append(struct dma_resv_list *list, unsigned long slot)
{
	unsigned int n = list->num_fences;

	WRITE_ONCE(list->slots[n], slot);
	/* The slot, and the fence it names, are seen before the count. */
	smp_store_release(&list->num_fences, n + 1);
}

/**
 * dma_resv_init - initialise a reservation object
 * @obj: the object
 *
 * The object starts unlocked and without fences; nothing is allocated until
 * the first dma_resv_reserve_fences().
 */
void dma_resv_init(struct dma_resv *obj)
{
	ww_mutex_init(&obj->lock, &reservation_ww_class);
	RCU_INIT_POINTER(obj->fences, NULL);
}
EXPORT_SYMBOL(dma_resv_init);

/**
 * dma_resv_fini - tear a reservation object down
 * @obj: the object, unlocked and unreachable by anyone else
 *
 * Drops the references to the stored fences.
 */
void dma_resv_fini(struct dma_resv *obj)
{
	struct dma_resv_list *list = rcu_dereference_protected(obj->fences, 1);

	if (list)
		list_free(list);
	ww_mutex_destroy(&obj->lock);
}
EXPORT_SYMBOL(dma_resv_fini);

/**
 * dma_resv_reserve_fences - make room for fences to be added
 * @obj: the object, locked
 * @num_fences: how many fences the caller will add
 *
 * Afterwards, and until the object is unlocked, @num_fences calls of
 * dma_resv_add_fence() are guaranteed a slot.  Reservations do not add up:
 * calling this twice with 1 guarantees one slot, not two.
 *
 * The array stays when the fences stored and @num_fences fit in its size.
 * Otherwise the fences move to a new array, for twice that size or the
 * fences needed if more, and the signaled ones are dropped on the way.  An
 * object without an array gets one for @num_fences rounded up to a power
 * of two, at least 4, even for 0.  Locked walks list signaled fences
 * too, so which ones they list depends on these sizes and moves; see the
 * overview at the top of this file.
 *
 * Context: process context, may sleep and allocate (GFP_KERNEL).
 * Return: 0, or -ENOMEM.
 */
int dma_resv_reserve_fences(struct dma_resv *obj, unsigned int num_fences)
{
	struct dma_resv_list *list = resv_list(obj);
	unsigned long request;
	unsigned int want;

	dma_resv_assert_held(obj);
	if (list) {
		if (check_add_overflow(list->num_fences, num_fences, &want))
			return -ENOMEM;
		if (want <= list->capacity) {
			/* Only unlocking in a debug build lowers the limit. */
			if (IS_ENABLED(CONFIG_DEBUG_MUTEXES))
				list->max_fences = list->capacity;
			return 0;
		}
		request = max(want, 2 * list->capacity);
	} else {
		/* Beyond that, no array could hold them. */
		if (num_fences > KMALLOC_MAX_SIZE / LIST_SLOT_SIZE)
			return -ENOMEM;
		request = max(4UL, roundup_pow_of_two(num_fences ?: 1));
	}
	return list_regrow(obj, request, GFP_KERNEL);
}
EXPORT_SYMBOL(dma_resv_reserve_fences);

#ifdef CONFIG_DEBUG_MUTEXES
/**
 * dma_resv_reset_max_fences - forget the slots reserved but not used
 * @obj: the object, locked
 *
 * Called on unlock in debug builds: a driver that adds a fence without
 * reserving a slot in the same locked section is then warned about even
 * when the array happens to have room left from an earlier reservation.
 */
void dma_resv_reset_max_fences(struct dma_resv *obj)
{
	struct dma_resv_list *list = resv_list(obj);

	dma_resv_assert_held(obj);
	if (list)
		list->max_fences = list->num_fences;
}
EXPORT_SYMBOL(dma_resv_reset_max_fences);
#endif

/* ---- adding ---- */

/*
 * Does @fence, with @usage, supersede @slot?  When the slot holds @fence
 * itself or an earlier fence of its context, stored with the same or a
 * weaker usage: everyone who waited for it may then wait for @fence
 * instead, which signals no earlier.
 */
static bool slot_supersedes(unsigned long slot, struct dma_fence *fence,
			    u64 context, enum dma_resv_usage usage)
{
	struct dma_fence *old = dma_resv_slot_fence(slot);

	return old->context == context && dma_resv_slot_usage(slot) >= usage &&
	       (old == fence ||
		__dma_fence_is_later(fence->seqno, old->seqno, fence->ops));
}

/*
 * May @fence, of @context, with @usage, take @slot instead of a new one?
 * When the slot is empty, when @fence supersedes it, or when the slot's
 * fence signaled (its driver is asked, which may signal it).
 */
static __always_inline bool slot_takes(unsigned long slot,
				       struct dma_fence *fence, u64 context,
				       enum dma_resv_usage usage)
{
	return !slot || slot_supersedes(slot, fence, context, usage) ||
	       dma_fence_is_signaled(dma_resv_slot_fence(slot));
}

/*
 * A fence arrived with no slot reserved for it: a driver bug.  Keep the
 * fence anyway, since losing it would let the buffer be touched too early:
 * in a slot whose fence signaled, in the room the array still has or,
 * failing those, in a bigger array allocated without sleeping.  Out of
 * line, so that the common add (list_add_fence()) stays small.
 */
static noinline void add_unreserved(struct dma_resv *obj,
				    struct dma_fence *fence,
				    enum dma_resv_usage usage)
{
	struct dma_resv_list *list = resv_list(obj);
	unsigned long slot = dma_resv_slot_pack(fence, usage);
	unsigned int i;

	WARN(1, "dma-resv: fence added without a reserved slot\n");
	for (i = 0; list && i < list->num_fences; i++) {
		if (!list->slots[i] || slot_signaled(list->slots[i])) {
			dma_fence_get(fence);
			slot_set(&list->slots[i], slot);
			return;
		}
	}
	if (!list || list->num_fences == list->capacity) {
		if (list_regrow(obj, list ? 2 * list->capacity : 4,
				GFP_ATOMIC | __GFP_NOWARN)) {
			pr_err("dma-resv: out of memory, fence %llu:%llu lost\n",
			       fence->context, fence->seqno);
			return;
		}
		list = resv_list(obj);
	}
	dma_fence_get(fence);
	slot_append(list, slot);
}

static void add_members(struct dma_resv *obj, struct dma_fence *container,
			enum dma_resv_usage usage)
{
	struct dma_fence_unwrap cursor;
	struct dma_fence *fence;

	dma_fence_unwrap_for_each(fence, &cursor, container)
		if (!dma_fence_is_signaled(fence))
			dma_resv_add_fence(obj, fence, usage);
}

/*
 * dma_resv_add_fence() on @list, which need not be published yet.  The
 * slots are asked in order and @fence takes the first that slot_takes()
 * allows, else a reserved one.  Every slot before the one taken is asked:
 * any fence may signal at any moment, so none can be passed over.
 *
 * This is the path of every add, and it is written for the compiler: the
 * walk's bounds and the context are locals, because each slot may call a
 * driver's signaled() hook, after which anything read through a pointer is
 * read again; and it is inlined into both callers.
 */
static __always_inline void list_add_fence(struct dma_resv *obj,
					   struct dma_resv_list *list,
					   struct dma_fence *fence,
					   enum dma_resv_usage usage)
{
	unsigned long *pos = list ? list->slots : NULL;
	unsigned long *end = list ? pos + list->num_fences : NULL;
	u64 context = fence->context;

	for (; pos < end; pos++) {
		if (slot_takes(*pos, fence, context, usage)) {
			dma_fence_get(fence);
			slot_set(pos, dma_resv_slot_pack(fence, usage));
			return;
		}
	}
	if (list && list->num_fences < list->max_fences) {
		dma_fence_get(fence);
		slot_append(list, dma_resv_slot_pack(fence, usage));
	} else {
		add_unreserved(obj, fence, usage);
	}
}

/**
 * dma_resv_add_fence - add a fence to an object
 * @obj: the object, locked
 * @fence: the fence; the object takes its own reference
 * @usage: what @fence orders
 *
 * The slots are looked at in order, and @fence takes the place of the
 * first stored fence that it supersedes (one of its context, not later
 * than @fence, stored with @usage or a weaker usage) or that has signaled,
 * whichever comes first; each fence looked at is asked, its driver's
 * signaled() hook included.  Failing both, @fence takes a slot that
 * dma_resv_reserve_fences() reserved.  So a fence of a context already
 * present but with a stronger usage than @fence's, or later than @fence,
 * stays, and the two are kept side by side, each with its own usage.
 * Nothing is allocated.
 *
 * Two driver bugs are reported with a WARN and survived:
 *
 * - Adding with no reserved slot: the fence is still stored, in room the
 *   array had spare, else in a bigger array allocated with %GFP_ATOMIC.  Only
 *   if that allocation fails is the fence dropped, with an error logged.
 * - Adding a container (&struct dma_fence_array or &struct dma_fence_chain):
 *   never stored as such; its unsignaled members are added one by one with
 *   @usage instead, each taking a slot as above.
 *
 * Context: any context where @obj may be locked; does not sleep.
 */
void dma_resv_add_fence(struct dma_resv *obj, struct dma_fence *fence,
			enum dma_resv_usage usage)
{
	dma_resv_assert_held(obj);
	if (WARN(dma_fence_is_container(fence),
		 "dma-resv: container fence added, storing its members\n")) {
		add_members(obj, fence, usage);
		return;
	}
	list_add_fence(obj, resv_list(obj), fence, usage);
}
EXPORT_SYMBOL(dma_resv_add_fence);

/**
 * dma_resv_replace_fences - swap out the fences of one context
 * @obj: the object, locked
 * @context: the context whose fences go
 * @replacement: the fence stored in their place, with @usage; or NULL to
 *	just remove them
 * @usage: usage of @replacement
 *
 * For drivers that know the fences of @context are covered by something
 * else now (typically a fence that signals later, or a stub).  Every slot
 * holding a fence of @context takes @replacement instead, in place, so
 * nothing is allocated; nothing happens when @obj holds no fence of
 * @context.  @replacement must not be a container; one is warned about,
 * the fences of @context are removed and its members added instead.
 */
void dma_resv_replace_fences(struct dma_resv *obj, u64 context,
			     struct dma_fence *replacement,
			     enum dma_resv_usage usage)
{
	struct dma_resv_list *list = resv_list(obj);
	struct dma_fence *container = NULL;
	unsigned int i;

	dma_resv_assert_held(obj);
	if (replacement && WARN(dma_fence_is_container(replacement),
				"dma-resv: container fence as replacement\n")) {
		container = replacement;
		replacement = NULL;
	}

	for (i = 0; list && i < list->num_fences; i++) {
		unsigned long slot = list->slots[i];

		if (!slot || dma_resv_slot_fence(slot)->context != context)
			continue;
		slot_set(&list->slots[i], replacement ?
			 dma_resv_slot_pack(dma_fence_get(replacement), usage) : 0);
	}
	if (container)
		add_members(obj, container, usage);
}
EXPORT_SYMBOL(dma_resv_replace_fences);

/* ---- locked walks ---- */

/**
 * dma_resv_iter_first - first fence of a locked walk
 * @cursor: a cursor from dma_resv_iter_begin(), on a locked object
 *
 * No reference is taken: the fences stay alive as long as the lock is held.
 * The object must not change during the walk.  The cursor's fence stays
 * NULL, so a dma_resv_iter_end() after leaving the walk early is harmless.
 *
 * Return: the first fence of the cursor's usage, or NULL.
 */
struct dma_fence *dma_resv_iter_first(struct dma_resv_iter *cursor)
{
	struct dma_resv_list *list;

	dma_resv_assert_held(cursor->obj);
	list = resv_list(cursor->obj);
	cursor->fences = list;
	cursor->slots = list ? list->slots : NULL;
	cursor->num_fences = list ? list->num_fences : 0;
	cursor->index = 0;
	cursor->is_restarted = true;
	return dma_resv_iter_step_locked(cursor);
}
EXPORT_SYMBOL_GPL(dma_resv_iter_first);

/**
 * dma_resv_iter_next - next fence of a locked walk
 * @cursor: the cursor, after dma_resv_iter_first()
 *
 * Return: the next fence of the cursor's usage, or NULL at the end.
 */
struct dma_fence *dma_resv_iter_next(struct dma_resv_iter *cursor)
{
	return dma_resv_iter_next_inline(cursor);
}
EXPORT_SYMBOL_GPL(dma_resv_iter_next);

/* ---- lock-free walks and snapshots ---- */

/* Unlocked walk, under rcu_read_lock(): start a pass on the current array. */
static void pass_begin(struct dma_resv_iter *cursor)
{
	struct dma_resv_list *list = rcu_dereference(cursor->obj->fences);

	cursor->fences = list;
	cursor->generation = read_generation(list);
	cursor->slots = list ? list->slots : NULL;
	cursor->num_fences = read_count(list);
	cursor->index = 0;
	cursor->is_restarted = true;
}

/*
 * Unlocked walk, under rcu_read_lock(): drop the previous fence and return
 * the next unsignaled one of the wanted usage, referenced, among the slots
 * the pass began with.  A fence whose last reference went while the pass
 * read it was replaced: the pass starts over on the object's array then.
 * The end is reported only while the pass's array is still the object's;
 * after a move to a new array the walk starts over on that.  Inlined into
 * both callers, so that a lock-free walk costs one call per fence.
 */
static __always_inline struct dma_fence *
walk_unlocked(struct dma_resv_iter *cursor)
{
	dma_fence_put(cursor->fence);

	for (;;) {
		struct dma_fence *fence;
		unsigned long slot;

		if (cursor->index >= cursor->num_fences) {
			if (!read_moved(cursor->obj, cursor->fences,
					cursor->generation)) {
				cursor->fence = NULL;
				return NULL;
			}
			pass_begin(cursor);
			continue;
		}
		slot = READ_ONCE(cursor->slots[cursor->index++]);
		fence = dma_resv_slot_fence(slot);
		if (!fence || dma_resv_slot_usage(slot) > cursor->usage ||
		    test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags))
			continue;

		fence = dma_fence_get_rcu(fence);
		if (!fence) {
			pass_begin(cursor);
			continue;
		}
		/*
		 * The flag was clear a moment ago; only a driver's own
		 * signaled() may know better.  (A fence that signals after
		 * the test is returned, as it would be a moment later.)
		 */
		if (fence->ops->signaled && dma_fence_is_signaled(fence)) {
			dma_fence_put(fence);
			continue;
		}
		cursor->fence = fence;
		cursor->fence_usage = dma_resv_slot_usage(slot);
		return fence;
	}
}

/**
 * dma_resv_iter_first_unlocked - first fence of a lock-free walk
 * @cursor: a cursor from dma_resv_iter_begin()
 *
 * Prefer dma_resv_for_each_fence_unlocked().  The fence is returned with a
 * reference the cursor holds until the next step or dma_resv_iter_end().
 *
 * Context: any context; never waits for a writer.
 * Return: the first unsignaled fence of the cursor's usage, or NULL.
 */
struct dma_fence *dma_resv_iter_first_unlocked(struct dma_resv_iter *cursor)
{
	struct dma_fence *fence;

	rcu_read_lock();
	pass_begin(cursor);
	fence = walk_unlocked(cursor);
	rcu_read_unlock();
	return fence;
}
EXPORT_SYMBOL(dma_resv_iter_first_unlocked);

/**
 * dma_resv_iter_next_unlocked - next fence of a lock-free walk
 * @cursor: the cursor, after dma_resv_iter_first_unlocked()
 *
 * When the object moved to a new array since the walk began, the walk
 * starts over on it and dma_resv_iter_is_restarted() says so on the fence
 * returned.  Fences added in place of those already returned are not
 * returned again: a walk is bounded by the slots it began with.
 *
 * Context: any context; never waits for a writer.
 * Return: the next unsignaled fence of the cursor's usage, or NULL at the
 * end.  When a pass began in this call, found nothing to return and so
 * could not flag a fence, dma_resv_iter_is_restarted() is still true after
 * the loop: the fences returned before belong to an older array.
 */
struct dma_fence *dma_resv_iter_next_unlocked(struct dma_resv_iter *cursor)
{
	struct dma_fence *fence;

	rcu_read_lock();
	cursor->is_restarted = false;
	/* At the end, walk_unlocked() makes this check itself. */
	if (cursor->index < cursor->num_fences &&
	    read_moved(cursor->obj, cursor->fences, cursor->generation))
		pass_begin(cursor);
	fence = walk_unlocked(cursor);
	rcu_read_unlock();
	return fence;
}
EXPORT_SYMBOL(dma_resv_iter_next_unlocked);

/*
 * Lock-free: references to the unsignaled fences of @usage and stronger,
 * in a kmalloc'ed array (NULL when there are none) that may be longer than
 * *@count.  One pass over the slots with one reference taken per fence
 * kept; a pass that lost a fence or its array is undone and started over.
 */
static int resv_snapshot(struct dma_resv *obj, enum dma_resv_usage usage,
			 struct dma_fence ***fences, unsigned int *count)
{
	struct dma_fence **out = NULL, **bigger;
	unsigned int room = 0, n, i, got, generation;
	struct dma_resv_list *from;
	bool ok;

	for (;;) {
		rcu_read_lock();
		from = rcu_dereference(obj->fences);
		generation = read_generation(from);
		n = read_count(from);
		if (n > room) {
			rcu_read_unlock();
			bigger = krealloc_array(out, n, sizeof(*out),
						GFP_KERNEL);
			if (!bigger) {
				kfree(out);
				return -ENOMEM;
			}
			out = bigger;
			room = n;
			continue;
		}
		for (i = 0, got = 0, ok = true; i < n; i++) {
			unsigned long slot = READ_ONCE(from->slots[i]);
			struct dma_fence *fence = dma_resv_slot_fence(slot);

			if (!fence || dma_resv_slot_usage(slot) > usage ||
			    test_bit(DMA_FENCE_FLAG_SIGNALED_BIT,
				     &fence->flags))
				continue;
			/* Released meanwhile: it was replaced. */
			fence = dma_fence_get_rcu(fence);
			if (!fence) {
				ok = false;
				break;
			}
			/*
			 * The driver is asked as well: a fence it calls done
			 * stays out (and is signaled).
			 */
			if (dma_fence_is_signaled(fence)) {
				dma_fence_put(fence);
				continue;
			}
			out[got++] = fence;
		}
		ok = ok && !read_moved(obj, from, generation);
		rcu_read_unlock();
		if (ok)
			break;
		while (got)
			dma_fence_put(out[--got]);
	}
	*fences = out;
	*count = got;
	return 0;
}

/**
 * dma_resv_get_fences - take a snapshot of the fences
 * @obj: the object; the lock is not needed
 * @usage: the weakest usage wanted
 * @num_fences: out: number of fences in the snapshot
 * @fences: out: a kmalloc'ed array of referenced fences, or NULL when there
 *	are none; the caller puts each fence and frees the array
 *
 * The snapshot holds the unsignaled fences of @usage and stronger that the
 * slots held when each was read, as one pass over the object's array saw
 * them.
 *
 * Context: process context, may sleep (GFP_KERNEL).
 * Return: 0, or -ENOMEM (then *@fences is NULL).
 */
int dma_resv_get_fences(struct dma_resv *obj, enum dma_resv_usage usage,
			unsigned int *num_fences, struct dma_fence ***fences)
{
	int ret = resv_snapshot(obj, usage, fences, num_fences);

	if (ret) {
		*num_fences = 0;
		*fences = NULL;
	} else if (!*num_fences) {
		kfree(*fences);
		*fences = NULL;
	}
	return ret;
}
EXPORT_SYMBOL_GPL(dma_resv_get_fences);

/* Drop the first @front and the last @back of the @size fences of @fences. */
static void put_fences(struct dma_fence **fences, unsigned int front,
		       unsigned int size, unsigned int back)
{
	while (front)
		dma_fence_put(fences[--front]);
	while (back)
		dma_fence_put(fences[size - back--]);
}

/*
 * One fence for the @count referenced fences at @fences: the fence itself,
 * or an array taking over the references.  NULL when out of memory, with
 * the references still the caller's.
 */
static struct dma_fence *join(struct dma_fence **fences, unsigned int count)
{
	struct dma_fence_array *array;
	struct dma_fence **members;

	if (count == 1)
		return fences[0];
	members = kmemdup(fences, count * sizeof(*fences), GFP_KERNEL);
	if (!members)
		return NULL;
	array = dma_fence_array_create(count, members,
				       dma_fence_context_alloc(1), 1, false);
	if (!array) {
		kfree(members);
		return NULL;
	}
	return &array->base;
}

/**
 * dma_resv_get_singleton - one fence for all fences of a usage
 * @obj: the object; the lock is not needed
 * @usage: the weakest usage wanted
 * @fence: out: NULL when nothing is pending, the fence itself when one is,
 *	else a new &struct dma_fence_array over a snapshot; referenced
 *
 * Context: process context, may sleep (GFP_KERNEL).
 * Return: 0, or -ENOMEM (then *@fence is NULL).
 */
int dma_resv_get_singleton(struct dma_resv *obj, enum dma_resv_usage usage,
			   struct dma_fence **fence)
{
	struct dma_fence **fences = NULL;
	struct dma_fence_array *array;
	unsigned int count = 0;
	int ret;

	*fence = NULL;
	ret = resv_snapshot(obj, usage, &fences, &count);
	if (ret || count <= 1) {
		*fence = count ? fences[0] : NULL;
		kfree(fences);
		return ret;
	}
	/* The array takes the snapshot over, references and all. */
	array = dma_fence_array_create(count, fences,
				       dma_fence_context_alloc(1), 1, false);
	if (!array) {
		put_fences(fences, count, count, 0);
		kfree(fences);
		return -ENOMEM;
	}
	*fence = &array->base;
	return 0;
}
EXPORT_SYMBOL_GPL(dma_resv_get_singleton);

/**
 * dma_resv_copy_fences - make one object's fences those of another
 * @dst: the object to overwrite, locked
 * @src: the object to copy from; the lock is not needed
 *
 * @dst ends up with a snapshot of the unsignaled fences of @src, with their
 * usages, as dma_resv_get_fences() takes it; what @dst held before is
 * dropped.  Lock-free readers of @dst see its old fences or the copy,
 * never a mix.  The copy's array is sized for the number of fences @src's
 * array holds, signaled ones included, and its limit is that size until
 * @dst is unlocked.
 *
 * Context: process context, may sleep (GFP_KERNEL).
 * Return: 0, or -ENOMEM (then @dst is unchanged).
 */
int dma_resv_copy_fences(struct dma_resv *dst, struct dma_resv *src)
{
	struct dma_resv_list *list, *from, *old;
	unsigned int n, i, generation;
	bool ok;

	dma_resv_assert_held(dst);
	/*
	 * One pass over @src's array as it stands, with nothing taken and
	 * dropped on the way: size the copy, allocate it (which may sleep,
	 * so outside RCU), then fill it with references to the unsignaled
	 * fences, and keep it only if @src kept its array and its fences
	 * meanwhile.
	 */
	for (;;) {
		rcu_read_lock();
		from = rcu_dereference(src->fences);
		generation = read_generation(from);
		n = read_count(from);
		rcu_read_unlock();

		list = n ? list_alloc(n, GFP_KERNEL) : NULL;
		if (n && !list)
			return -ENOMEM;

		rcu_read_lock();
		ok = !read_moved(src, from, generation);
		for (i = 0; ok && i < n; i++) {
			unsigned long slot = READ_ONCE(from->slots[i]);
			struct dma_fence *fence = dma_resv_slot_fence(slot);

			if (!fence ||
			    test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags))
				continue;
			/* Released meanwhile: it was replaced. */
			fence = dma_fence_get_rcu(fence);
			if (!fence) {
				ok = false;
				break;
			}
			/* Signaled by its driver's word: not copied either. */
			if (fence->ops->signaled &&
			    dma_fence_is_signaled(fence)) {
				dma_fence_put(fence);
				continue;
			}
			list->slots[list->num_fences++] =
				dma_resv_slot_pack(fence, dma_resv_slot_usage(slot));
		}
		ok = ok && !read_moved(src, from, generation);
		rcu_read_unlock();
		if (ok)
			break;
		if (list)
			list_free(list);
	}

	if (list && !list->num_fences) {
		kfree(list);
		list = NULL;
	}
	old = list_publish(dst, list);
	if (old)
		list_free(old);
	return 0;
}
EXPORT_SYMBOL(dma_resv_copy_fences);

/*
 * Lock-free and without references: is every fence of @usage and stronger
 * flagged signaled?  One pass over the slots.  False is no answer: a fence
 * not flagged yet may still report itself signaled when asked (which takes
 * a reference).
 */
static bool flagged_idle(struct dma_resv *obj, enum dma_resv_usage usage)
{
	struct dma_resv_list *list;
	unsigned int n, i, generation;
	bool idle = true;

	rcu_read_lock();
	list = rcu_dereference(obj->fences);
	generation = read_generation(list);
	n = read_count(list);
	for (i = 0; i < n && idle; i++) {
		unsigned long slot = READ_ONCE(list->slots[i]);
		struct dma_fence *fence = dma_resv_slot_fence(slot);

		idle = !fence || dma_resv_slot_usage(slot) > usage ||
		       test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags);
	}
	idle = idle && !read_moved(obj, list, generation);
	rcu_read_unlock();
	return idle;
}

/**
 * dma_resv_wait_timeout - wait for the fences of a usage
 * @obj: the object; the lock is not needed
 * @usage: the weakest usage to wait for
 * @intr: whether a signal may interrupt the wait
 * @timeout: the longest wait in jiffies, or %MAX_SCHEDULE_TIMEOUT; 0 only
 *	tests
 *
 * Waits for the fences the object holds when the wait begins.  Fences
 * added later are not waited for, even those that take the place of a
 * fence waited for, so a producer that keeps adding cannot hold the wait.
 *
 * Context: process context, sleeps.
 * Return: the jiffies left (at least 1) once all signaled, 0 on timeout,
 * -ERESTARTSYS when interrupted.  A zero @timeout asks each fence with a
 * zero timeout and returns the last fence's answer, or 1 when there is
 * nothing to ask.
 */
long dma_resv_wait_timeout(struct dma_resv *obj, enum dma_resv_usage usage,
			   bool intr, unsigned long timeout)
{
	long left = timeout ? min_t(unsigned long, timeout,
				    MAX_SCHEDULE_TIMEOUT) : 1;
	struct dma_resv_iter cursor;
	struct dma_fence *fence;

	/* An idle buffer, the common case, needs no walk. */
	if (flagged_idle(obj, usage))
		return left;

	dma_resv_iter_begin(&cursor, obj, usage);
	dma_resv_for_each_fence_unlocked(&cursor, fence) {
		left = dma_fence_wait_timeout(fence, intr, timeout ? left : 0);
		if (left <= 0)
			break;
	}
	dma_resv_iter_end(&cursor);
	return left;
}
EXPORT_SYMBOL_GPL(dma_resv_wait_timeout);

/**
 * dma_resv_test_signaled - have all fences of a usage signaled?
 * @obj: the object; the lock is not needed
 * @usage: the weakest usage to test
 *
 * Context: any context; never waits for a writer.
 * Return: true when no fence of @usage or stronger is pending.
 */
bool dma_resv_test_signaled(struct dma_resv *obj, enum dma_resv_usage usage)
{
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	bool idle = true;

	if (flagged_idle(obj, usage))
		return true;

	dma_resv_iter_begin(&cursor, obj, usage);
	dma_resv_for_each_fence_unlocked(&cursor, fence) {
		idle = false;
		break;
	}
	dma_resv_iter_end(&cursor);
	return idle;
}
EXPORT_SYMBOL_GPL(dma_resv_test_signaled);

/**
 * dma_resv_describe - print the fences, for debugfs
 * @obj: the object, locked
 * @seq: where to print, one line per kernel, write or read fence with its
 *	usage; bookkeeping fences are not listed
 */
void dma_resv_describe(struct dma_resv *obj, struct seq_file *seq)
{
	struct dma_resv_iter cursor;
	struct dma_fence *fence;

	dma_resv_for_each_fence(&cursor, obj, DMA_RESV_USAGE_READ, fence) {
		seq_printf(seq, "\t%s fence:",
			   usage_names[dma_resv_iter_usage(&cursor)]);
		dma_fence_describe(fence, seq);
	}
}
EXPORT_SYMBOL_GPL(dma_resv_describe);

/* ---- the classic reservation_object view ---- */

/* Does @slot belong to the classic interface?  All but bookkeeping does. */
static bool slot_classic(unsigned long slot)
{
	return dma_resv_slot_usage(slot) <= DMA_RESV_USAGE_READ;
}

/**
 * reservation_object_add_excl_fence - set the exclusive fence
 * @obj: the object, locked
 * @fence: the new exclusive fence, or NULL to only clear
 *
 * As in the classic interface, the caller promises that @fence signals
 * after every fence it could see: the kernel, write and read fences are
 * dropped and @fence is stored with %DMA_RESV_USAGE_WRITE.  Bookkeeping
 * fences stay (one of them that @fence supersedes is replaced, as in
 * dma_resv_add_fence()).  No reservation is needed: the object moves to a
 * new array of the same size, allocated without sleeping, that lock-free
 * readers see whole.  Should that allocation fail, or @fence be a
 * container, the old fences are kept (waiters wait longer, never less)
 * and @fence goes through dma_resv_add_fence().
 */
void reservation_object_add_excl_fence(struct reservation_object *obj,
				       struct dma_fence *fence)
{
	struct dma_resv *resv = &obj->resv;
	struct dma_resv_list *old = resv_list(resv), *list = NULL;
	unsigned int i, kept = 0;

	dma_resv_assert_held(resv);
	if (!old && !fence)
		return;
	for (i = 0; old && i < old->num_fences; i++)
		kept += old->slots[i] && !slot_classic(old->slots[i]);
	/* The old size, unless the bookkeeping fences fill it. */
	if (!fence || !dma_fence_is_container(fence))
		list = list_alloc(max(kept + 1, old ? old->capacity : 4U),
				  GFP_NOWAIT | __GFP_NOWARN);
	if (!list) {
		if (fence)
			dma_resv_add_fence(resv, fence, DMA_RESV_USAGE_WRITE);
		return;
	}

	for (i = 0; old && i < old->num_fences; i++) {
		unsigned long slot = old->slots[i];

		if (slot && !slot_classic(slot)) {
			dma_fence_get(dma_resv_slot_fence(slot));
			list->slots[list->num_fences++] = slot;
		}
	}
	/* Nobody sees @list yet, and its limit is its size: there is room. */
	if (fence)
		list_add_fence(resv, list, fence, DMA_RESV_USAGE_WRITE);
	/*
	 * The new array stands for the old one: a limit at the old size
	 * stays at the size, a lower one (unlocked in a debug build) stays
	 * where it was, or at the fences stored if those are more.
	 */
	if (old && old->max_fences < old->capacity)
		list->max_fences = clamp(old->max_fences, list->num_fences,
					 list->capacity);
	old = list_publish(resv, list);
	if (old)
		list_free(old);
}
EXPORT_SYMBOL(reservation_object_add_excl_fence);

/**
 * reservation_object_get_fences_rcu - snapshot of the classic fences
 * @obj: the object; the lock is not needed
 * @excl: out: the exclusive fence, referenced, or NULL.  Several write or
 *	kernel fences (possible through the dma_resv interface) come back as
 *	one &struct dma_fence_array.
 * @shared_count: out: number of shared fences
 * @shared: out: kmalloc'ed array of referenced shared fences, or NULL when
 *	there are none
 *
 * Both come from one lock-free walk of the object, as
 * dma_resv_get_fences() takes them; signaled fences are left out.
 *
 * Context: process context, may sleep (GFP_KERNEL).
 * Return: 0, or -ENOMEM (then nothing is returned).
 */
int reservation_object_get_fences_rcu(struct reservation_object *obj,
				      struct dma_fence **excl,
				      unsigned int *shared_count,
				      struct dma_fence ***shared)
{
	struct dma_fence **fences = NULL, *fence;
	unsigned int size = 0, n_excl = 0, n_shared = 0;
	struct dma_resv_iter cursor;

	*excl = NULL;
	*shared_count = 0;
	*shared = NULL;

	/* Shared fences fill the array from the front, exclusive from the back. */
	dma_resv_iter_begin(&cursor, &obj->resv, DMA_RESV_USAGE_READ);
	dma_resv_for_each_fence_unlocked(&cursor, fence) {
		if (dma_resv_iter_is_restarted(&cursor)) {
			put_fences(fences, n_shared, size, n_excl);
			kfree(fences);
			n_excl = 0;
			n_shared = 0;
			size = cursor.num_fences;
			fences = kmalloc_array(size, sizeof(*fences),
					       GFP_KERNEL);
			if (!fences) {
				dma_resv_iter_end(&cursor);
				return -ENOMEM;
			}
		}
		if (WARN_ON_ONCE(n_excl + n_shared >= size))
			continue;
		if (dma_resv_iter_usage(&cursor) == DMA_RESV_USAGE_READ)
			fences[n_shared++] = dma_fence_get(fence);
		else
			fences[size - ++n_excl] = dma_fence_get(fence);
	}
	dma_resv_iter_end(&cursor);

	if (n_excl) {
		*excl = join(&fences[size - n_excl], n_excl);
		if (!*excl) {
			put_fences(fences, n_shared, size, n_excl);
			kfree(fences);
			return -ENOMEM;
		}
	}
	if (n_shared) {
		*shared_count = n_shared;
		*shared = fences;
	} else {
		kfree(fences);
	}
	return 0;
}
EXPORT_SYMBOL_GPL(reservation_object_get_fences_rcu);

/* ---- lockdep priming at boot ---- */

#ifdef CONFIG_LOCKDEP
/*
 * Lockdep learns lock orders only when they happen.  Record at boot the
 * ones the rest of the kernel establishes under memory pressure or on a
 * page fault, so that a driver breaking them is reported on its first run:
 *
 *   mmap_lock -> reservation lock     (a fault on a mapped buffer)
 *   reservation lock -> fs_reclaim    (allocating with the buffer locked)
 *   fs_reclaim -> i_mmap_rwsem        (a shrinker unmapping what it evicts)
 *   reservation lock, fs_reclaim -> fence waits
 *                                     (evicting waits for the buffer's work)
 */
static void __init prime_shrinker_unmap(void)
{
	struct address_space mapping;

	address_space_init_once(&mapping);
	i_mmap_lock_write(&mapping);
	i_mmap_unlock_write(&mapping);
}

static void __init prime_under_resv(void)
{
	fs_reclaim_acquire(GFP_KERNEL);
	__dma_fence_might_wait();
	prime_shrinker_unmap();
#ifdef CONFIG_MMU_NOTIFIER
	/* Invalidating a userptr range waits for the buffer's fences too. */
	lock_map_acquire(&__mmu_notifier_invalidate_range_start_map);
	__dma_fence_might_wait();
	lock_map_release(&__mmu_notifier_invalidate_range_start_map);
#endif
	fs_reclaim_release(GFP_KERNEL);
}

static int __init dma_resv_prime_lockdep(void)
{
	struct mm_struct *mm = mm_alloc();
	struct ww_acquire_ctx ctx;
	struct dma_resv obj;

	if (!mm)
		return -ENOMEM;
	dma_resv_init(&obj);
	ww_acquire_init(&ctx, &reservation_ww_class);

	mmap_read_lock(mm);
	if (dma_resv_lock(&obj, &ctx) == -EDEADLK)
		dma_resv_lock_slow(&obj, &ctx);
	prime_under_resv();
	dma_resv_unlock(&obj);
	mmap_read_unlock(mm);

	ww_acquire_fini(&ctx);
	dma_resv_fini(&obj);
	mmput(mm);
	return 0;
}
subsys_initcall(dma_resv_prime_lockdep);
#endif
