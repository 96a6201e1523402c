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
 * usage in the two low bits.  At most one slot per fence context, and the
 * slots are kept sorted by context, so that the add path finds the slot of
 * a context with a binary search instead of a look at every fence.  Adding
 * a fence of a context already present replaces the older fence and keeps
 * the stronger of the two usages, so the array stays as small as the number
 * of timelines that touched the buffer.  Fences that have signaled are
 * dropped whenever the array is rebuilt, and when an add finds its
 * reservation used up.
 *
 * Writers hold &dma_resv.lock, a wound/wait mutex so that drivers can lock
 * all buffers of a job in any order and back off on -EDEADLK.  Adding never
 * allocates: dma_resv_reserve_fences() makes room first, and may move the
 * fences into a bigger array, dropping the signaled ones on the way.
 *
 * Lock-free readers never take the lock.  The array carries a change count:
 * a writer changing slots in place makes it odd for the few stores of the
 * change (with preemption off), or, for a change that is a single store
 * (a fence folded into the slot of its context, or the number of fences
 * growing over a slot just written behind the last), moves it on by two
 * after the store; a bigger array is published with RCU, its count
 * continuing where the old one stopped.  A reader notes the array and its
 * count when it starts, reads under RCU, and starts over when either
 * moved.  A fence taken out of the array is only released after the
 * change that took it out, so a reader racing a change sees stale but live
 * fences at worst, and the count tells it to throw that view away.  The
 * unlocked iterators surface these restarts with
 * dma_resv_iter_is_restarted().  Keeping the count in the array rather than
 * in the object keeps &struct dma_resv at a lock and a pointer.
 *
 * The classic interface of &struct reservation_object (one exclusive fence,
 * many shared ones) is a view over the same object: exclusive means
 * %DMA_RESV_USAGE_WRITE (and stronger), shared means %DMA_RESV_USAGE_READ.
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
 * @seq: change count, odd while a writer changes the slots or @num_fences
 *	in place.  An array that replaces another starts at the count the
 *	other stopped at (plus two), so for one object the count only grows.
 * @num_fences: slots [0, @num_fences) hold fences, sorted by context, one
 *	per context.  The slots behind that @num_fences once covered are 0
 *	or hold fences a writer is about to drop; the others were never
 *	written.  Changed with the object locked, inside a change; it
 *	grows with a release store, which lock-free readers pair with an
 *	acquire load: the slots it covers are written before it does.
 * @max_fences: how far adds may fill the array without a new reservation.
 *	Used by writers only.  With %CONFIG_DEBUG_MUTEXES it is what was
 *	reserved since the lock was taken, otherwise @capacity.
 * @capacity: number of slots allocated; fixed for the array's life
 * @slots: each a fence pointer (holding a reference) or'ed with its usage;
 *	written with the object locked inside a change, read under RCU
 */
struct dma_resv_list {
	struct rcu_head rcu;
	unsigned int seq;
	unsigned int num_fences;
	unsigned int max_fences;
	unsigned int capacity;
	unsigned long slots[];
};

#define SLOT_USAGE_MASK DMA_RESV_SLOT_USAGE_MASK

DEFINE_WW_CLASS(reservation_ww_class);
EXPORT_SYMBOL(reservation_ww_class);

static const char * const usage_names[] = {
	[DMA_RESV_USAGE_KERNEL] = "kernel",
	[DMA_RESV_USAGE_WRITE] = "write",
	[DMA_RESV_USAGE_READ] = "read",
	[DMA_RESV_USAGE_BOOKKEEP] = "bookkeep",
};

static unsigned long slot_pack(struct dma_fence *fence,
			       enum dma_resv_usage usage)
{
	BUILD_BUG_ON(__alignof__(struct dma_fence) <= SLOT_USAGE_MASK);
	BUILD_BUG_ON(DMA_RESV_USAGE_BOOKKEEP > SLOT_USAGE_MASK);
	return (unsigned long)fence | usage;
}

static struct dma_fence *slot_fence(unsigned long slot)
{
	return (struct dma_fence *)(slot & ~SLOT_USAGE_MASK);
}

static enum dma_resv_usage slot_usage(unsigned long slot)
{
	return slot & SLOT_USAGE_MASK;
}

/* The context of slot @i; writers only (the fence may not be touched). */
static u64 slot_context(struct dma_resv_list *list, unsigned int i)
{
	return slot_fence(list->slots[i])->context;
}

static struct dma_resv_list *resv_list(struct dma_resv *obj)
{
	return rcu_dereference_protected(obj->fences, dma_resv_held(obj));
}

/*
 * Bracket a change of @list that readers must not see half done.  The lock
 * is checked here, and preemption is off so that readers spin for a few
 * stores at most.
 */
static void change_begin(struct dma_resv *obj, struct dma_resv_list *list)
{
	dma_resv_assert_held(obj);
	preempt_disable();
	WRITE_ONCE(list->seq, list->seq + 1);
	/* The odd count is seen before any store of the change... */
	smp_wmb();
}

static void change_end(struct dma_resv_list *list)
{
	/* ... and every store of the change before the even one. */
	smp_wmb();
	WRITE_ONCE(list->seq, list->seq + 1);
	preempt_enable();
}

/* Reader side, under RCU: the count of @list once no change is running. */
static unsigned int read_begin(struct dma_resv_list *list)
{
	unsigned int seq;

	while ((seq = READ_ONCE(list->seq)) & 1)
		cpu_relax();
	/* Pairs with change_end(): the slots are read after the count. */
	smp_rmb();
	return seq;
}

/* Reader side, under RCU: how many slots of @list hold fences. */
static unsigned int read_count(struct dma_resv_list *list)
{
	/* Pairs with the release in slot_insert() and append_one(). */
	return smp_load_acquire(&list->num_fences);
}

/*
 * Reader side, under RCU: is what was read from @list (with count @seq) no
 * longer the object's state?  @list need not be alive: it is only looked at
 * when it still is the object's array.
 */
static bool read_moved(struct dma_resv *obj, struct dma_resv_list *list,
		       unsigned int seq)
{
	struct dma_resv_list *now;

	/* Pairs with change_begin(): the slots were read before the count. */
	smp_rmb();
	now = rcu_dereference(obj->fences);
	return now != list || (now && READ_ONCE(now->seq) != seq);
}

/*
 * An empty array of at least @capacity slots, filling its slab object.
 * The slots are left as they come: nobody reads a slot at or beyond the
 * highest @num_fences the array has had, and the ones below are written
 * before @num_fences grows over them.  (Zeroing a 64 KiB array costs more
 * than the adds it is grown for.)
 */
static struct dma_resv_list *list_alloc(unsigned int capacity, gfp_t gfp)
{
	struct dma_resv_list *list;
	size_t size = struct_size(list, slots, capacity);

	if (size > KMALLOC_MAX_SIZE)
		return NULL;
	/* kmalloc() sizes of a power of two are exact, the first one too. */
	if (!is_power_of_2(size))
		size = kmalloc_size_roundup(size);
	list = kmalloc(size, gfp);
	if (!list)
		return NULL;
	list->seq = 0;
	list->num_fences = 0;
	list->max_fences = 0;
	list->capacity = (size - sizeof(*list)) / sizeof(list->slots[0]);
	return list;
}

/* Drop every fence of an array nobody can reach any more, then the array. */
static void list_free(struct dma_resv_list *list)
{
	unsigned int i;

	for (i = 0; i < list->num_fences; i++)
		dma_fence_put(slot_fence(list->slots[i]));
	kfree_rcu(list, rcu);
}

static void list_set_limit(struct dma_resv_list *list)
{
	list->max_fences = IS_ENABLED(CONFIG_DEBUG_MUTEXES) ?
			   list->num_fences : list->capacity;
}

/*
 * Make @list the object's array.  Returns the array it replaces, which
 * lock-free readers may still be walking: the caller drops the references
 * that were not moved over and frees it with kfree_rcu().
 */
static struct dma_resv_list *list_publish(struct dma_resv *obj,
					  struct dma_resv_list *list)
{
	struct dma_resv_list *old = resv_list(obj);

	if (old)
		list->seq = old->seq + 2;
	rcu_assign_pointer(obj->fences, list);
	return old;
}

/*
 * The first array of an object, of at least @capacity slots.  Apart from
 * list_regrow() so that only objects that had an array pay for its frame.
 */
static noinline int list_first(struct dma_resv *obj, unsigned int capacity,
			       gfp_t gfp)
{
	struct dma_resv_list *list = list_alloc(capacity, gfp);

	if (!list)
		return -ENOMEM;
	list_set_limit(list);
	rcu_assign_pointer(obj->fences, list);
	return 0;
}

/*
 * Move the unsignaled fences into a new array of at least @capacity slots,
 * which must be at least the number of fences stored now, and publish it.
 * The references move with the fences; the signaled ones are dropped.
 */
static int list_regrow(struct dma_resv *obj, unsigned int capacity, gfp_t gfp)
{
	struct dma_resv_list *old = resv_list(obj), *list;
	unsigned int i, n = 0;

	if (!old)
		return list_first(obj, capacity, gfp);
	list = list_alloc(capacity, gfp);
	if (!list)
		return -ENOMEM;
	for (i = 0; i < old->num_fences; i++)
		if (!dma_fence_is_signaled(slot_fence(old->slots[i])))
			list->slots[n++] = old->slots[i];
	list->num_fences = n;
	list_set_limit(list);
	list_publish(obj, list);

	/* The new array is the old one minus the dropped fences, in order. */
	for (i = 0, n = 0; i < old->num_fences; i++) {
		if (n < list->num_fences && list->slots[n] == old->slots[i])
			n++;
		else
			dma_fence_put(slot_fence(old->slots[i]));
	}
	kfree_rcu(old, rcu);
	return 0;
}

/*
 * Binary search for @context.  Returns the slot holding it, or the slot
 * where it would go (with *@found false).  Contexts usually come in
 * growing order, so the end is tried first.
 */
static __always_inline unsigned int
slot_search(struct dma_resv_list *list, u64 context, bool *found)
{
	unsigned int lo = 0, hi = list ? list->num_fences : 0;
	u64 here_last;

	*found = false;
	if (!hi)
		return hi;
	/* A driver's next fence: the last context again, or a new one. */
	here_last = slot_context(list, hi - 1);
	if (here_last < context)
		return hi;
	if (here_last == context) {
		*found = true;
		return hi - 1;
	}
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		u64 here = slot_context(list, mid);

		if (here == context) {
			*found = true;
			return mid;
		}
		if (here < context)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Store a slot naming a fence lock-free readers may not have seen yet. */
static void slot_publish(struct dma_resv_list *list, unsigned int pos,
			 unsigned long slot)
{
	/* Whatever made the fence is seen before the pointer to it. */
	smp_store_release(&list->slots[pos], slot);
}

/*
 * A change that is one store to one slot needs no odd phase: a reader
 * sees the slot either before or after it, and any mix of such slots it
 * reads is a state the object was in, unless it read a slot from before
 * one store and another from after a later one.  That reader then also
 * sees the count moved on by the earlier store, since each count is
 * published after its store and read after the slots.  Readers never
 * spin on such a change, and the writer needs no preemption off.
 */
static void change_one(struct dma_resv *obj, struct dma_resv_list *list,
		       unsigned int pos, unsigned long slot)
{
	dma_resv_assert_held(obj);
	slot_publish(list, pos, slot);
	/* The store is seen before the count that announces it. */
	smp_wmb();
	WRITE_ONCE(list->seq, list->seq + 2);
}

/* Inside a change: put @slot at @pos, moving the slots behind up by one. */
static void slot_insert(struct dma_resv_list *list, unsigned int pos,
			unsigned long slot)
{
	unsigned int i;

	for (i = list->num_fences; i > pos; i--)
		WRITE_ONCE(list->slots[i], list->slots[i - 1]);
	slot_publish(list, pos, slot);
	/* The slots the count grows over are written first. */
	smp_store_release(&list->num_fences, list->num_fences + 1);
}

/*
 * A change that only adds @slot behind the last slot.  Like change_one()
 * it is a single store to readers: the count growing over the slot.
 */
static void append_one(struct dma_resv *obj, struct dma_resv_list *list,
		       unsigned long slot)
{
	unsigned int n = list->num_fences;

	dma_resv_assert_held(obj);
	WRITE_ONCE(list->slots[n], slot);
	/* The slot, and the fence it names, are seen before the count... */
	smp_store_release(&list->num_fences, n + 1);
	/* ... and the count before the change count that announces it. */
	smp_wmb();
	WRITE_ONCE(list->seq, list->seq + 2);
}

/*
 * Inside a change: take slot @pos out, moving the slots behind down by one.
 * Returns the fence removed, whose reference the caller drops after the
 * change.
 */
static struct dma_fence *slot_delete(struct dma_resv_list *list,
				     unsigned int pos)
{
	struct dma_fence *fence = slot_fence(list->slots[pos]);
	unsigned int i, last = list->num_fences - 1;

	for (i = pos; i < last; i++)
		WRITE_ONCE(list->slots[i], list->slots[i + 1]);
	WRITE_ONCE(list->slots[last], 0);
	WRITE_ONCE(list->num_fences, last);
	return fence;
}

/*
 * Inside a change: move the fences @drop() picks behind the kept ones,
 * which keep their order.  Returns the number kept; slots [kept, old
 * number) then hold exactly the fences picked, still referenced.
 */
static unsigned int slots_partition(struct dma_resv_list *list,
				    bool (*drop)(unsigned long slot))
{
	unsigned int i, kept = 0;

	for (i = 0; i < list->num_fences; i++) {
		unsigned long slot = list->slots[i];

		if (drop(slot))
			continue;
		if (i != kept) {
			WRITE_ONCE(list->slots[i], list->slots[kept]);
			WRITE_ONCE(list->slots[kept], slot);
		}
		kept++;
	}
	return kept;
}

/* After a change: drop the fences in slots [@from, @to) and clear them. */
static void slots_release(struct dma_resv_list *list, unsigned int from,
			  unsigned int to)
{
	for (; from < to; from++) {
		dma_fence_put(slot_fence(list->slots[from]));
		WRITE_ONCE(list->slots[from], 0);
	}
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
 * @num_fences: how many fences of new contexts the caller will add
 *
 * Afterwards, and until the object is unlocked, @num_fences calls of
 * dma_resv_add_fence() are guaranteed a slot.  Reservations do not add up:
 * calling this twice with 1 guarantees one slot, not two.  When the array
 * has to grow, the fences already signaled are dropped on the way.
 *
 * Context: process context, may sleep and allocate (GFP_KERNEL).
 * Return: 0, or -ENOMEM.
 */
int dma_resv_reserve_fences(struct dma_resv *obj, unsigned int num_fences)
{
	struct dma_resv_list *list = resv_list(obj);
	unsigned int used = list ? list->num_fences : 0;
	unsigned int want, capacity;
	int ret;

	dma_resv_assert_held(obj);
	if (!num_fences)
		return 0;
	if (check_add_overflow(used, num_fences, &want))
		return -ENOMEM;
	if (!list || want > list->capacity) {
		capacity = max3(want, 4U, list ? 2 * list->capacity : 0U);
		ret = list ? list_regrow(obj, capacity, GFP_KERNEL) :
			     list_first(obj, capacity, GFP_KERNEL);
		if (ret)
			return ret;
		list = resv_list(obj);
		want = list->num_fences + num_fences;
	}
	if (IS_ENABLED(CONFIG_DEBUG_MUTEXES))
		list->max_fences = max(list->max_fences, want);
	else
		list->max_fences = list->capacity;
	return 0;
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

/* The lock is held: lockdep need not be asked for every slot. */
static bool slot_signaled(unsigned long slot)
{
	return test_bit(DMA_FENCE_FLAG_SIGNALED_BIT,
			&slot_fence(slot)->flags);
}

/*
 * The reservation is used up: drop the fences that signaled, in one change.
 * Returns true when that made room.
 */
static bool drop_signaled(struct dma_resv *obj, struct dma_resv_list *list)
{
	unsigned int old = list->num_fences, kept;

	change_begin(obj, list);
	kept = slots_partition(list, slot_signaled);
	WRITE_ONCE(list->num_fences, kept);
	change_end(list);
	slots_release(list, kept, old);
	return kept < old;
}

/*
 * A fence arrived with no slot reserved for it: a driver bug.  Keep the
 * fence anyway, since losing it would let the buffer be touched too early.
 * Use the room the array still has or, failing that, move to a bigger array
 * allocated without sleeping.  Returns false when even that failed.
 */
static bool make_room(struct dma_resv *obj)
{
	struct dma_resv_list *list = resv_list(obj);

	WARN(1, "dma-resv: fence added without a reserved slot\n");
	if (list && list->num_fences < list->capacity)
		return true;
	return !list_regrow(obj, list ? 2 * list->capacity : 4,
			    GFP_ATOMIC | __GFP_NOWARN);
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
 * The rule for two fences of one context meeting in a slot: the later
 * fence stays, with the stronger usage.  Returns the slot's new value and
 * says whether @fence took the place of the fence in @slot.
 */
static unsigned long slot_folded(unsigned long slot, struct dma_fence *fence,
				 enum dma_resv_usage usage, bool *replaced)
{
	struct dma_fence *old = slot_fence(slot);

	*replaced = old != fence && dma_fence_is_later(fence, old);
	return slot_pack(*replaced ? fence : old,
			 min(usage, slot_usage(slot)));
}

/*
 * Inside a change: fold @fence with @usage into slot @pos, which holds a
 * fence of the same context, by the rule of slot_folded().  Returns the
 * fence that lost its place, for the caller to drop after the change, or
 * NULL.
 */
static struct dma_fence *slot_fold(struct dma_resv_list *list,
				   unsigned int pos, struct dma_fence *fence,
				   enum dma_resv_usage usage)
{
	unsigned long slot = list->slots[pos], folded;
	bool replaced;

	folded = slot_folded(slot, fence, usage, &replaced);
	if (replaced)
		dma_fence_get(fence);
	slot_publish(list, pos, folded);
	return replaced ? slot_fence(slot) : NULL;
}

/*
 * A change of its own: slot @pos takes @slot, whose fence is of the same
 * context as the one there and later.  The new fence gains the object's
 * reference and the old one loses it once readers can no longer find it.
 * Kept out of line so that the add fast path needs no stack frame.
 */
static noinline void slot_replace(struct dma_resv *obj,
				  struct dma_resv_list *list, unsigned int pos,
				  unsigned long slot)
{
	struct dma_fence *old = slot_fence(list->slots[pos]);

	dma_fence_get(slot_fence(slot));
	change_one(obj, list, pos, slot);
	dma_fence_put(old);
}

/* slot_fold() in a change of its own, skipped when it would change nothing. */
static void slot_merge(struct dma_resv *obj, struct dma_resv_list *list,
		       unsigned int pos, struct dma_fence *fence,
		       enum dma_resv_usage usage)
{
	unsigned long slot = list->slots[pos], folded;
	bool replaced;

	folded = slot_folded(slot, fence, usage, &replaced);
	if (replaced)
		slot_replace(obj, list, pos, folded);
	else if (folded != slot)
		change_one(obj, list, pos, folded);
}

/*
 * dma_resv_add_fence() for everything but a later fence of the last slot's
 * context: containers, the other contexts (search, then fold or insert).
 */
static noinline void add_search(struct dma_resv *obj,
				struct dma_resv_list *list,
				struct dma_fence *fence,
				enum dma_resv_usage usage)
{
	unsigned int pos;
	bool found;

	if (WARN(dma_fence_is_container(fence),
		 "dma-resv: container fence added, storing its members\n")) {
		add_members(obj, fence, usage);
		return;
	}

	pos = slot_search(list, fence->context, &found);
	if (found) {
		slot_merge(obj, list, pos, fence, usage);
		return;
	}
	if (!list || list->num_fences >= list->max_fences) {
		if (!(list && drop_signaled(obj, list)) && !make_room(obj)) {
			pr_err("dma-resv: out of memory, fence %llu:%llu lost\n",
			       fence->context, fence->seqno);
			return;
		}
		list = resv_list(obj);
		pos = slot_search(list, fence->context, &found);
	}

	dma_fence_get(fence);
	if (pos == list->num_fences) {
		append_one(obj, list, slot_pack(fence, usage));
		return;
	}
	change_begin(obj, list);
	slot_insert(list, pos, slot_pack(fence, usage));
	change_end(list);
}

/**
 * dma_resv_add_fence - add a fence to an object
 * @obj: the object, locked
 * @fence: the fence; the object takes its own reference
 * @usage: what @fence orders
 *
 * A fence of a context already present replaces the older one, keeping the
 * stronger of the two usages (and the later fence); otherwise the fence
 * takes a slot that dma_resv_reserve_fences() reserved or, with those used
 * up, one that a signaled fence leaves.  Nothing is allocated.
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
	struct dma_resv_list *list = resv_list(obj);
	unsigned int n = list ? list->num_fences : 0;

	dma_resv_assert_held(obj);
	/*
	 * A driver's next fence on the timeline it used last replaces the
	 * fence of the last slot, with no search and no call but the one
	 * that makes the change.  The rule is slot_folded()'s.
	 */
	if (n) {
		unsigned long slot = list->slots[n - 1];
		struct dma_fence *last = slot_fence(slot);

		if (last->context == fence->context && last != fence &&
		    dma_fence_is_later(fence, last) &&
		    !dma_fence_is_container(fence)) {
			slot_replace(obj, list, n - 1,
				     slot_pack(fence,
					       min(usage, slot_usage(slot))));
			return;
		}
	}
	add_search(obj, list, fence, usage);
}
EXPORT_SYMBOL(dma_resv_add_fence);

/**
 * dma_resv_replace_fences - swap out the fence of one context
 * @obj: the object, locked
 * @context: the context whose fence goes
 * @replacement: the fence stored in its place, with @usage; or NULL to
 *	just remove it
 * @usage: usage of @replacement
 *
 * For drivers that know the fence of @context is covered by something else
 * now (typically a fence that signals later, or a stub).  Nothing happens
 * when @obj holds no fence of @context.  Nothing is allocated: the slot
 * freed is the one @replacement takes (or, when @obj has a fence of
 * @replacement's context already, the two merge as in
 * dma_resv_add_fence()), all in one change.  @replacement must not be a
 * container; one is warned about and its members are added instead.
 */
void dma_resv_replace_fences(struct dma_resv *obj, u64 context,
			     struct dma_fence *replacement,
			     enum dma_resv_usage usage)
{
	struct dma_resv_list *list = resv_list(obj);
	struct dma_fence *container = NULL, *old, *loser = NULL;
	unsigned int pos;
	bool found;

	dma_resv_assert_held(obj);
	if (replacement && WARN(dma_fence_is_container(replacement),
				"dma-resv: container fence as replacement\n")) {
		container = replacement;
		replacement = NULL;
	}

	pos = slot_search(list, context, &found);
	if (found) {
		change_begin(obj, list);
		old = slot_delete(list, pos);
		if (replacement) {
			pos = slot_search(list, replacement->context, &found);
			if (!found) {
				slot_insert(list, pos,
					    slot_pack(dma_fence_get(replacement),
						      usage));
			} else {
				loser = slot_fold(list, pos, replacement, usage);
			}
		}
		change_end(list);
		dma_fence_put(old);
		dma_fence_put(loser);
	}
	if (container)
		add_members(obj, container, usage);
}
EXPORT_SYMBOL(dma_resv_replace_fences);

/**
 * dma_resv_iter_first - first fence of a locked walk
 * @cursor: a cursor from dma_resv_iter_begin(), on a locked object
 *
 * No reference is taken: the fences stay alive as long as the lock is held.
 * The object must not change during the walk.  The cursor's fence stays
 * NULL, so a dma_resv_iter_end() after leaving the walk early is harmless.
 * The steps after this one are the inline dma_resv_iter_next().
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

/* Unlocked walk, under rcu_read_lock(): start a pass on the current state. */
static void pass_begin(struct dma_resv_iter *cursor)
{
	struct dma_resv_list *list = rcu_dereference(cursor->obj->fences);

	cursor->fences = list;
	cursor->slots = list ? list->slots : NULL;
	cursor->seq = list ? read_begin(list) : 0;
	cursor->num_fences = list ? read_count(list) : 0;
	cursor->index = 0;
	cursor->is_restarted = true;
}

static bool pass_stale(struct dma_resv_iter *cursor)
{
	return read_moved(cursor->obj, cursor->fences, cursor->seq);
}

/*
 * Unlocked walk, under rcu_read_lock(): drop the previous fence and return
 * the next unsignaled one of the wanted usage, referenced.  A fence is
 * returned as the pass read it: a writer may have replaced it since, which
 * the next step finds (dma_resv_iter_next_unlocked() checks the pass
 * before it reads on) and answers with a new pass, reported by
 * dma_resv_iter_is_restarted().  The end of the array is reported only for
 * a pass that is still current then, so a walk that reaches its end has
 * seen one state of the object whole.
 */
static __always_inline struct dma_fence *
walk_unlocked(struct dma_resv_iter *cursor)
{
	dma_fence_put(cursor->fence);

	for (;;) {
		struct dma_fence *fence;
		unsigned long slot;

		if (cursor->index >= cursor->num_fences) {
			if (!pass_stale(cursor)) {
				cursor->fence = NULL;
				return NULL;
			}
			pass_begin(cursor);
			continue;
		}
		slot = READ_ONCE(cursor->slots[cursor->index++]);
		fence = slot_fence(slot);
		if (!fence || slot_usage(slot) > cursor->usage ||
		    test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags))
			continue;

		/* Gone to zero: it was replaced, so the array moved. */
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
		cursor->fence_usage = slot_usage(slot);
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
 * Context: process context; does not sleep.  Not from interrupts, which
 * could spin on a change the interrupted CPU itself is making.
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
 * When the object changed since the walk began, the walk starts over and
 * dma_resv_iter_is_restarted() says so on the fence returned.
 *
 * Context: process context; does not sleep.  Not from interrupts, which
 * could spin on a change the interrupted CPU itself is making.
 * Return: the next unsignaled fence of the cursor's usage, or NULL at the
 * end of a pass over a state that was current at that moment.  When that
 * pass began in this call, found nothing to return and so could not flag a
 * fence, dma_resv_iter_is_restarted() is still true after the loop: the
 * fences returned before belong to an older state.
 */
struct dma_fence *dma_resv_iter_next_unlocked(struct dma_resv_iter *cursor)
{
	struct dma_fence *fence;

	rcu_read_lock();
	cursor->is_restarted = false;
	/* At the end, walk_unlocked() makes this check itself. */
	if (cursor->index < cursor->num_fences && pass_stale(cursor))
		pass_begin(cursor);
	fence = walk_unlocked(cursor);
	rcu_read_unlock();
	return fence;
}
EXPORT_SYMBOL(dma_resv_iter_next_unlocked);

/*
 * Lock-free: references to the fences of @usage and stronger of one state
 * of @obj, in a kmalloc'ed array (NULL when there are none) that may be
 * longer than *@count.  One pass over the slots with one reference taken
 * per fence kept; a pass that raced a writer is undone and started over.
 */
static int resv_snapshot(struct dma_resv *obj, enum dma_resv_usage usage,
			 struct dma_fence ***fences, unsigned int *count)
{
	struct dma_fence **out = NULL, **bigger;
	unsigned int room = 0, seq, n, i, got;
	struct dma_resv_list *from;
	bool ok;

	for (;;) {
		rcu_read_lock();
		from = rcu_dereference(obj->fences);
		seq = from ? read_begin(from) : 0;
		n = from ? read_count(from) : 0;
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
			struct dma_fence *fence = slot_fence(slot);

			if (fence && (slot_usage(slot) > usage ||
				      test_bit(DMA_FENCE_FLAG_SIGNALED_BIT,
					       &fence->flags)))
				continue;
			/* A fence on its way out was replaced: @obj moved. */
			fence = fence ? dma_fence_get_rcu(fence) : NULL;
			if (!fence) {
				ok = false;
				break;
			}
			out[got++] = fence;
		}
		ok = ok && !read_moved(obj, from, seq);
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
 * The snapshot holds the unsignaled fences of @usage and stronger of one
 * state the object was in during the call.
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
 * usages; what @dst held before is dropped.
 *
 * Context: process context, may sleep (GFP_KERNEL).
 * Return: 0, or -ENOMEM (then @dst is unchanged).
 */
int dma_resv_copy_fences(struct dma_resv *dst, struct dma_resv *src)
{
	struct dma_resv_list *list, *from, *old;
	unsigned int seq, n, i;
	bool ok;

	dma_resv_assert_held(dst);
	/*
	 * One pass over @src's array as it stands, with nothing taken and
	 * dropped on the way: size the copy, allocate it (which may sleep,
	 * so outside RCU), then fill it with references to the unsignaled
	 * fences, and keep it only if @src did not change in between.  The
	 * copy keeps the order, and so the sorting by context.
	 */
	for (;;) {
		rcu_read_lock();
		from = rcu_dereference(src->fences);
		seq = from ? read_begin(from) : 0;
		n = from ? read_count(from) : 0;
		rcu_read_unlock();

		list = n ? list_alloc(n, GFP_KERNEL) : NULL;
		if (n && !list)
			return -ENOMEM;

		rcu_read_lock();
		ok = !read_moved(src, from, seq);
		for (i = 0; ok && i < n; i++) {
			unsigned long slot = READ_ONCE(from->slots[i]);
			struct dma_fence *fence = slot_fence(slot);

			if (fence &&
			    test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags))
				continue;
			/* A fence on its way out was replaced: @src moved. */
			fence = fence ? dma_fence_get_rcu(fence) : NULL;
			if (!fence) {
				ok = false;
				break;
			}
			list->slots[list->num_fences++] =
				slot_pack(fence, slot_usage(slot));
		}
		ok = ok && !read_moved(src, from, seq);
		rcu_read_unlock();
		if (ok)
			break;
		if (list)
			list_free(list);
	}

	if (list) {
		list_set_limit(list);
		old = list_publish(dst, list);
		if (old)
			list_free(old);
		return 0;
	}
	/* Nothing to copy: empty @dst's array in place, keeping it. */
	old = resv_list(dst);
	if (old) {
		n = old->num_fences;
		change_begin(dst, old);
		WRITE_ONCE(old->num_fences, 0);
		change_end(old);
		slots_release(old, 0, n);
	}
	return 0;
}
EXPORT_SYMBOL(dma_resv_copy_fences);

/*
 * Lock-free and without references: is every fence of @usage and stronger
 * flagged signaled, in one state of @obj?  One pass over the slots.  False
 * is no answer: a fence not flagged yet may still report itself signaled
 * when asked (which takes a reference), and a pass may race a writer.
 */
static bool flagged_idle(struct dma_resv *obj, enum dma_resv_usage usage)
{
	struct dma_resv_list *list;
	unsigned int seq, n, i;
	bool idle = true;

	rcu_read_lock();
	list = rcu_dereference(obj->fences);
	seq = list ? read_begin(list) : 0;
	n = list ? read_count(list) : 0;
	for (i = 0; i < n && idle; i++) {
		unsigned long slot = READ_ONCE(list->slots[i]);
		struct dma_fence *fence = slot_fence(slot);

		idle = !fence || slot_usage(slot) > usage ||
		       test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags);
	}
	idle = idle && !read_moved(obj, list, seq);
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
 * Fences added while waiting are waited for as well.
 *
 * Context: process context, sleeps.
 * Return: the jiffies left (at least 1) once all signaled, 1 for a zero
 * @timeout when nothing is pending, 0 on timeout, -ERESTARTSYS when
 * interrupted.
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
		long ret = dma_fence_wait_timeout(fence, intr,
						  timeout ? left : 0);

		if (ret <= 0) {
			left = ret;
			break;
		}
		if (timeout)
			left = ret;
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
 * Context: process context; does not sleep.  Not from interrupts, which
 * could spin on a change the interrupted CPU itself is making.
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

/* Is @slot invisible to the classic interface?  Only bookkeeping is. */
static bool slot_classic(unsigned long slot)
{
	return slot_usage(slot) <= DMA_RESV_USAGE_READ;
}

/*
 * Room for the new exclusive fence in the same change that drops the old
 * fences: a slot one of them frees, or a free one.  Grow without sleeping
 * if neither exists.  Returns the array, NULL when there is no room.
 */
static struct dma_resv_list *excl_room(struct dma_resv *obj)
{
	struct dma_resv_list *list = resv_list(obj);
	unsigned int i;

	for (i = 0; list && i < list->num_fences; i++)
		if (slot_classic(list->slots[i]))
			return list;
	if (list && list->num_fences < list->capacity)
		return list;
	if (list_regrow(obj, list ? 2 * list->capacity : 4,
			GFP_NOWAIT | __GFP_NOWARN))
		return NULL;
	return resv_list(obj);
}

/**
 * reservation_object_add_excl_fence - set the exclusive fence
 * @obj: the object, locked
 * @fence: the new exclusive fence, or NULL to only clear
 *
 * As in the classic interface, the caller promises that @fence signals
 * after every fence it could see: the kernel, write and read fences are
 * dropped and @fence is stored with %DMA_RESV_USAGE_WRITE, in one change
 * that lock-free readers see whole.  Bookkeeping fences stay (one of
 * @fence's context merges with it, as in dma_resv_add_fence()).  No
 * reservation is needed: the slot of a dropped fence is reused, and an
 * object without room gets a bigger array allocated without sleeping
 * (should that fail, or @fence be a container, the fence goes through
 * dma_resv_add_fence() after the old ones were dropped).
 */
void reservation_object_add_excl_fence(struct reservation_object *obj,
				       struct dma_fence *fence)
{
	struct dma_resv *resv = &obj->resv;
	struct dma_resv_list *list = NULL;
	struct dma_fence *displaced = NULL, *loser = NULL;
	unsigned int kept, old_num, tail, pos;
	bool found;

	dma_resv_assert_held(resv);
	if (!fence)
		list = resv_list(resv);
	else if (!dma_fence_is_container(fence))
		list = excl_room(resv);
	if (!list) {
		/* The slow way: drop, then add through the checks. */
		if (fence) {
			reservation_object_add_excl_fence(obj, NULL);
			dma_resv_add_fence(resv, fence, DMA_RESV_USAGE_WRITE);
		}
		return;
	}

	old_num = list->num_fences;
	change_begin(resv, list);
	/* Bookkeeping fences stay in front, in order; the others go behind. */
	kept = slots_partition(list, slot_classic);
	WRITE_ONCE(list->num_fences, kept);
	tail = kept;
	if (fence) {
		pos = slot_search(list, fence->context, &found);
		if (found) {
			loser = slot_fold(list, pos, fence, DMA_RESV_USAGE_WRITE);
		} else {
			/* The insertion overwrites the first dropped slot. */
			if (kept < old_num)
				displaced = slot_fence(list->slots[kept]);
			slot_insert(list, pos, slot_pack(dma_fence_get(fence),
							 DMA_RESV_USAGE_WRITE));
			tail++;
		}
	}
	change_end(list);

	dma_fence_put(displaced);
	dma_fence_put(loser);
	slots_release(list, tail, old_num);
	list->max_fences = max(list->max_fences, list->num_fences);
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
 * Both come from one consistent state of the object; signaled fences are
 * left out.
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
