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
 * Storage: one array of slots, each holding a fence and its usage, with a
 * count of slots in use.  At most one slot per fence context: adding a fence
 * of a context already present replaces the older fence and keeps the
 * stronger of the two usages, so the array stays as small as the number of
 * timelines that touched the buffer.  A slot whose fence has signaled is
 * reused by an add that finds its reservation used up.
 *
 * Writers hold &dma_resv.lock, a wound/wait mutex so that drivers can lock
 * all buffers of a job in any order and back off on -EDEADLK.  Adding never
 * allocates: dma_resv_reserve_fences() makes room first, and may move the
 * fences into a bigger array, dropping the signaled ones on the way.
 *
 * Lock-free readers never take the lock.  Every change, be it one slot
 * or a whole new array published with RCU, happens between a begin and an
 * end of &dma_resv.seq; a reader notes the count when it starts, reads under
 * RCU, and starts over when the count moved.  A fence taken out of the
 * array is only released after the change that took it out, so a reader
 * racing a change sees stale but live fences at worst, and the count tells
 * it to throw that view away.  The unlocked iterators surface these
 * restarts with dma_resv_iter_is_restarted().  A change is a handful of
 * stores with preemption off, so the only wait a reader can see is a spin
 * of that length when it starts a pass in the middle of one.
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
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/overflow.h>
#include <linux/reservation.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

/**
 * struct resv_slot - one stored fence
 * @fence: the fence, holding a reference; NULL in unused slots.  Written
 *	with the object locked inside a &dma_resv.seq section, read under RCU.
 * @context: @fence's context, kept here so that looking a context up scans
 *	the array alone instead of every fence; used by writers only
 * @usage: what @fence orders; same rules as @fence
 */
struct resv_slot {
	struct dma_fence __rcu *fence;
	u64 context;
	enum dma_resv_usage usage;
};

/**
 * struct dma_resv_list - the array behind &dma_resv.fences
 * @rcu: frees the array after lock-free readers are done with it
 * @num_fences: slots [0, @num_fences) hold fences, the others are NULL
 *	once the writer is done (a writer may leave fences there it is about
 *	to drop).  Changed with the object locked, inside a &dma_resv.seq
 *	section.
 * @max_fences: how far adds may fill the array without a new reservation.
 *	Used by writers only.  With %CONFIG_DEBUG_MUTEXES it is what was
 *	reserved since the lock was taken, otherwise @capacity.
 * @capacity: number of slots allocated; fixed for the array's life
 * @slots: the slots
 */
struct dma_resv_list {
	struct rcu_head rcu;
	unsigned int num_fences;
	unsigned int max_fences;
	unsigned int capacity;
	struct resv_slot slots[];
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

static struct dma_fence *slot_fence(struct dma_resv *obj,
				    struct resv_slot *slot)
{
	return rcu_dereference_protected(slot->fence, dma_resv_held(obj));
}

static void slot_set(struct resv_slot *slot, struct dma_fence *fence,
		     enum dma_resv_usage usage)
{
	slot->context = fence ? fence->context : 0;
	WRITE_ONCE(slot->usage, usage);
	rcu_assign_pointer(slot->fence, fence);
}

/*
 * Bracket a change readers must not see half done.  The sequence count is a
 * plain one, as the lock behind it is a ww_mutex: the lock is checked here,
 * and preemption is off so that readers spin for a few stores at most.
 */
static void change_begin(struct dma_resv *obj)
{
	dma_resv_assert_held(obj);
	preempt_disable();
	write_seqcount_begin(&obj->seq);
}

static void change_end(struct dma_resv *obj)
{
	write_seqcount_end(&obj->seq);
	preempt_enable();
}

static struct dma_resv_list *list_alloc(unsigned int capacity, gfp_t gfp)
{
	struct dma_resv_list *list;
	size_t size = struct_size(list, slots, capacity);

	if (size > KMALLOC_MAX_SIZE)
		return NULL;
	list = kzalloc(size, gfp);
	if (list)
		list->capacity = capacity;
	return list;
}

/* Drop every fence of an array nobody can reach any more, then the array. */
static void list_free(struct dma_resv_list *list)
{
	unsigned int i;

	for (i = 0; i < list->num_fences; i++)
		dma_fence_put(rcu_dereference_protected(list->slots[i].fence,
							true));
	kfree_rcu(list, rcu);
}

/* Make @list the object's array, then release the one it replaces. */
static void list_publish(struct dma_resv *obj, struct dma_resv_list *list)
{
	struct dma_resv_list *old = resv_list(obj);

	change_begin(obj);
	rcu_assign_pointer(obj->fences, list);
	change_end(obj);
	if (old)
		list_free(old);
}

/*
 * Move the unsignaled fences into a new array of @capacity slots, which must
 * be at least the number of fences stored now, and publish it.
 */
static int list_regrow(struct dma_resv *obj, unsigned int capacity, gfp_t gfp)
{
	struct dma_resv_list *old = resv_list(obj), *list;
	unsigned int i, n = 0;

	list = list_alloc(capacity, gfp);
	if (!list)
		return -ENOMEM;
	for (i = 0; old && i < old->num_fences; i++) {
		struct dma_fence *fence = slot_fence(obj, &old->slots[i]);

		if (dma_fence_is_signaled(fence))
			continue;
		slot_set(&list->slots[n++], dma_fence_get(fence),
			 old->slots[i].usage);
	}
	list->num_fences = n;
	list->max_fences = IS_ENABLED(CONFIG_DEBUG_MUTEXES) ? n : capacity;
	list_publish(obj, list);
	return 0;
}

/*
 * Take slot @i out of @list, moving the last used slot into its place.
 * Returns the removed fence; the caller drops it after the change is over.
 */
static struct dma_fence *slot_remove(struct dma_resv *obj,
				     struct dma_resv_list *list, unsigned int i)
{
	struct resv_slot *last = &list->slots[list->num_fences - 1];
	struct dma_fence *fence = slot_fence(obj, &list->slots[i]);

	change_begin(obj);
	slot_set(&list->slots[i], slot_fence(obj, last), last->usage);
	RCU_INIT_POINTER(last->fence, NULL);
	WRITE_ONCE(list->num_fences, list->num_fences - 1);
	change_end(obj);
	return fence;
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
	seqcount_init(&obj->seq);
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
		ret = list_regrow(obj, capacity, GFP_KERNEL);
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

/*
 * The add path's one lookup: the slot holding a fence of @context or, if
 * there is none and @want_spare, a slot whose fence has signaled and can be
 * overwritten.  A linear scan over the slots' contexts, which is the
 * fastest thing for the few fences objects usually hold; an index by
 * context would replace this helper alone.  Spares are only looked for
 * when the reservation is used up: they cost a look at every fence.
 */
static struct resv_slot *find_slot(struct dma_resv_list *list, u64 context,
				   bool want_spare)
{
	unsigned int i, n = list ? list->num_fences : 0;

	for (i = 0; i < n; i++)
		if (list->slots[i].context == context)
			return &list->slots[i];
	/* The caller holds the lock; spare lockdep a lookup per slot. */
	for (i = 0; want_spare && i < n; i++) {
		struct dma_fence *old =
			rcu_dereference_protected(list->slots[i].fence, 1);

		if (test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &old->flags))
			return &list->slots[i];
	}
	return NULL;
}

/*
 * Store @fence (whose reference we own) in a slot found by find_slot().  Of
 * two fences of one context the later one stays, with the stronger usage.
 * Returns the fence that lost, for the caller to drop.
 */
static struct dma_fence *slot_update(struct dma_resv *obj,
				     struct resv_slot *slot,
				     struct dma_fence *fence,
				     enum dma_resv_usage usage)
{
	struct dma_fence *old = slot_fence(obj, slot);
	struct dma_fence *loser = old;

	if (slot->context == fence->context) {
		usage = min(usage, slot->usage);
		if (old == fence || !dma_fence_is_later(fence, old)) {
			loser = fence;
			fence = old;
		}
	}
	change_begin(obj);
	slot_set(slot, fence, usage);
	change_end(obj);
	return loser;
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

/**
 * dma_resv_add_fence - add a fence to an object
 * @obj: the object, locked
 * @fence: the fence; the object takes its own reference
 * @usage: what @fence orders
 *
 * A fence of a context already present replaces the older one, keeping the
 * stronger of the two usages (and the later fence); otherwise the fence
 * takes a slot that dma_resv_reserve_fences() reserved or, with those used
 * up, one whose fence has signaled.  Nothing is allocated.
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
	struct resv_slot *slot;

	dma_resv_assert_held(obj);
	if (WARN(dma_fence_is_container(fence),
		 "dma-resv: container fence added, storing its members\n")) {
		add_members(obj, fence, usage);
		return;
	}

	dma_fence_get(fence);
	slot = find_slot(list, fence->context,
			 !list || list->num_fences >= list->max_fences);
	if (slot) {
		dma_fence_put(slot_update(obj, slot, fence, usage));
		return;
	}
	if (!list || list->num_fences >= list->max_fences) {
		if (!make_room(obj)) {
			pr_err("dma-resv: out of memory, fence %llu:%llu lost\n",
			       fence->context, fence->seqno);
			dma_fence_put(fence);
			return;
		}
		list = resv_list(obj);
	}

	change_begin(obj);
	slot_set(&list->slots[list->num_fences], fence, usage);
	WRITE_ONCE(list->num_fences, list->num_fences + 1);
	change_end(obj);
}
EXPORT_SYMBOL(dma_resv_add_fence);

/**
 * dma_resv_replace_fences - swap out every fence of one context
 * @obj: the object, locked
 * @context: the context whose fences go
 * @replacement: the fence stored in their place, with @usage; or NULL to
 *	just remove them
 * @usage: usage of @replacement
 *
 * For drivers that know the fences of @context are covered by something
 * else now (typically a fence that signals later, or a stub).  Nothing is
 * allocated: @replacement takes the first slot of @context, and further
 * fences of @context are removed.  @replacement must not be a container;
 * one is warned about and its members are added instead.
 */
void dma_resv_replace_fences(struct dma_resv *obj, u64 context,
			     struct dma_fence *replacement,
			     enum dma_resv_usage usage)
{
	struct dma_resv_list *list = resv_list(obj);
	struct dma_fence *container = NULL;
	bool replaced = false;
	unsigned int i = 0;

	dma_resv_assert_held(obj);
	if (replacement && WARN(dma_fence_is_container(replacement),
				"dma-resv: container fence as replacement\n")) {
		container = replacement;
		replacement = NULL;
	}

	while (list && i < list->num_fences) {
		struct resv_slot *slot = &list->slots[i];
		struct dma_fence *old = slot_fence(obj, slot);

		if (old->context != context) {
			i++;
			continue;
		}
		if (replacement && !replaced) {
			change_begin(obj);
			slot_set(slot, dma_fence_get(replacement), usage);
			change_end(obj);
			replaced = true;
			i++;
		} else {
			old = slot_remove(obj, list, i);
		}
		dma_fence_put(old);
	}
	if (container)
		add_members(obj, container, usage);
}
EXPORT_SYMBOL(dma_resv_replace_fences);

/* Locked walk: the next slot of the wanted usage, signaled or not. */
static struct dma_fence *walk_locked(struct dma_resv_iter *cursor)
{
	while (cursor->index < cursor->num_fences) {
		struct resv_slot *slot = &cursor->fences->slots[cursor->index++];

		if (slot->usage > cursor->usage)
			continue;
		cursor->fence = slot_fence(cursor->obj, slot);
		cursor->fence_usage = slot->usage;
		return cursor->fence;
	}
	cursor->fence = NULL;
	return NULL;
}

/**
 * dma_resv_iter_first - first fence of a locked walk
 * @cursor: a cursor from dma_resv_iter_begin(), on a locked object
 *
 * No reference is taken: the fences stay alive as long as the lock is held.
 * The object must not change during the walk.
 *
 * Return: the first fence of the cursor's usage, or NULL.
 */
struct dma_fence *dma_resv_iter_first(struct dma_resv_iter *cursor)
{
	struct dma_resv_list *list;

	dma_resv_assert_held(cursor->obj);
	list = resv_list(cursor->obj);
	cursor->fences = list;
	cursor->num_fences = list ? list->num_fences : 0;
	cursor->index = 0;
	cursor->is_restarted = true;
	return walk_locked(cursor);
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
	dma_resv_assert_held(cursor->obj);
	cursor->is_restarted = false;
	return walk_locked(cursor);
}
EXPORT_SYMBOL_GPL(dma_resv_iter_next);

/* Unlocked walk, under rcu_read_lock(): start a pass on the current state. */
static void pass_begin(struct dma_resv_iter *cursor)
{
	struct dma_resv_list *list;

	cursor->seq = read_seqcount_begin(&cursor->obj->seq);
	list = rcu_dereference(cursor->obj->fences);
	cursor->fences = list;
	cursor->num_fences = list ? READ_ONCE(list->num_fences) : 0;
	cursor->index = 0;
	cursor->is_restarted = true;
}

static bool pass_stale(struct dma_resv_iter *cursor)
{
	return read_seqcount_retry(&cursor->obj->seq, cursor->seq);
}

/*
 * Unlocked walk, under rcu_read_lock(): drop the previous fence and return
 * the next unsignaled one of the wanted usage, referenced.  Anything read
 * from the array counts only if the sequence count did not move since the
 * pass began; otherwise a new pass begins.  The end of the array is
 * reported only for a pass that is still current then.
 */
static struct dma_fence *walk_unlocked(struct dma_resv_iter *cursor)
{
	dma_fence_put(cursor->fence);
	cursor->fence = NULL;

	for (;;) {
		struct dma_fence *fence;
		enum dma_resv_usage usage;
		struct resv_slot *slot;

		if (cursor->index >= cursor->num_fences) {
			if (!pass_stale(cursor))
				return NULL;
			pass_begin(cursor);
			continue;
		}
		slot = &cursor->fences->slots[cursor->index++];
		fence = rcu_dereference(slot->fence);
		usage = READ_ONCE(slot->usage);
		if (!fence || usage > cursor->usage ||
		    test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags))
			continue;

		fence = dma_fence_get_rcu(fence);
		if (!fence || pass_stale(cursor)) {
			dma_fence_put(fence);
			pass_begin(cursor);
			continue;
		}
		if (dma_fence_is_signaled(fence)) {
			dma_fence_put(fence);
			continue;
		}
		cursor->fence = fence;
		cursor->fence_usage = usage;
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
 * end of a pass over a state that was current at that moment.
 */
struct dma_fence *dma_resv_iter_next_unlocked(struct dma_resv_iter *cursor)
{
	struct dma_fence *fence;

	rcu_read_lock();
	cursor->is_restarted = false;
	if (pass_stale(cursor))
		pass_begin(cursor);
	fence = walk_unlocked(cursor);
	rcu_read_unlock();
	return fence;
}
EXPORT_SYMBOL(dma_resv_iter_next_unlocked);

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
	struct dma_fence **array = NULL, **bigger, *fence;
	struct dma_resv_iter cursor;
	unsigned int count = 0, size = 0;

	dma_resv_iter_begin(&cursor, obj, usage);
	dma_resv_for_each_fence_unlocked(&cursor, fence) {
		if (dma_resv_iter_is_restarted(&cursor)) {
			while (count)
				dma_fence_put(array[--count]);
			if (cursor.num_fences > size) {
				bigger = krealloc_array(array, cursor.num_fences,
							sizeof(*array),
							GFP_KERNEL);
				if (!bigger) {
					dma_resv_iter_end(&cursor);
					kfree(array);
					*num_fences = 0;
					*fences = NULL;
					return -ENOMEM;
				}
				array = bigger;
				size = cursor.num_fences;
			}
		}
		if (WARN_ON_ONCE(count >= size))
			continue;
		array[count++] = dma_fence_get(fence);
	}
	dma_resv_iter_end(&cursor);

	*num_fences = count;
	*fences = count ? array : NULL;
	if (!count)
		kfree(array);
	return 0;
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
	struct dma_fence **fences;
	unsigned int count;
	int ret;

	*fence = NULL;
	ret = dma_resv_get_fences(obj, usage, &count, &fences);
	if (ret || !count)
		return ret;
	*fence = join(fences, count);
	if (!*fence) {
		put_fences(fences, count, count, 0);
		ret = -ENOMEM;
	}
	kfree(fences);
	return ret;
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
	struct dma_resv_list *list, *from;
	unsigned int seq, n, i;
	bool ok;

	dma_resv_assert_held(dst);
	/*
	 * One pass over @src's array as it stands, with nothing taken and
	 * dropped on the way: size the copy, allocate it (which may sleep,
	 * so outside RCU), then fill it with references to the unsignaled
	 * fences, and keep it only if @src did not change in between.
	 */
	for (;;) {
		rcu_read_lock();
		seq = read_seqcount_begin(&src->seq);
		from = rcu_dereference(src->fences);
		n = from ? READ_ONCE(from->num_fences) : 0;
		rcu_read_unlock();

		list = n ? list_alloc(n, GFP_KERNEL) : NULL;
		if (n && !list)
			return -ENOMEM;

		rcu_read_lock();
		from = rcu_dereference(src->fences);
		ok = !read_seqcount_retry(&src->seq, seq);
		for (i = 0; ok && i < n; i++) {
			struct resv_slot *slot = &from->slots[i];
			struct dma_fence *fence = rcu_dereference(slot->fence);

			if (fence &&
			    test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags))
				continue;
			/* A fence on its way out was replaced: @src moved. */
			fence = fence ? dma_fence_get_rcu(fence) : NULL;
			if (!fence) {
				ok = false;
				break;
			}
			slot_set(&list->slots[list->num_fences++], fence,
				 READ_ONCE(slot->usage));
		}
		ok = ok && !read_seqcount_retry(&src->seq, seq);
		rcu_read_unlock();
		if (ok)
			break;
		if (list)
			list_free(list);
	}

	if (list)
		list->max_fences = IS_ENABLED(CONFIG_DEBUG_MUTEXES) ?
				   list->num_fences : list->capacity;
	list_publish(dst, list);
	return 0;
}
EXPORT_SYMBOL(dma_resv_copy_fences);

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
 * @seq: where to print, one line per fence with its usage
 */
void dma_resv_describe(struct dma_resv *obj, struct seq_file *seq)
{
	struct dma_resv_iter cursor;
	struct dma_fence *fence;

	dma_resv_for_each_fence(&cursor, obj, DMA_RESV_USAGE_BOOKKEEP, fence) {
		seq_printf(seq, "\t%s fence: ",
			   usage_names[dma_resv_iter_usage(&cursor)]);
		dma_fence_describe(fence, seq);
	}
}
EXPORT_SYMBOL_GPL(dma_resv_describe);

/* Exchange two slots, inside a change. */
static void slot_swap(struct dma_resv *obj, struct resv_slot *a,
		      struct resv_slot *b)
{
	struct dma_fence *fence = slot_fence(obj, a);
	enum dma_resv_usage usage = a->usage;

	slot_set(a, slot_fence(obj, b), b->usage);
	slot_set(b, fence, usage);
}

/* Does the classic interface see @usage?  Everything but bookkeeping. */
static bool classic_usage(enum dma_resv_usage usage)
{
	return usage <= DMA_RESV_USAGE_READ;
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
		if (classic_usage(list->slots[i].usage))
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
 * that lock-free readers see whole.  Bookkeeping fences stay.  No
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
	struct dma_fence *displaced = NULL;
	unsigned int i, kept = 0, old_num, new_num;

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

	change_begin(resv);
	/* Kept (bookkeeping) fences to the front, dropped ones behind. */
	old_num = list->num_fences;
	for (i = 0; i < old_num; i++) {
		if (classic_usage(list->slots[i].usage))
			continue;
		if (i != kept)
			slot_swap(resv, &list->slots[kept], &list->slots[i]);
		kept++;
	}
	new_num = kept;
	if (fence) {
		if (kept < old_num)
			displaced = slot_fence(resv, &list->slots[kept]);
		slot_set(&list->slots[kept], dma_fence_get(fence),
			 DMA_RESV_USAGE_WRITE);
		new_num++;
	}
	WRITE_ONCE(list->num_fences, new_num);
	change_end(resv);

	dma_fence_put(displaced);
	for (i = new_num; i < old_num; i++) {
		struct dma_fence *old = slot_fence(resv, &list->slots[i]);

		RCU_INIT_POINTER(list->slots[i].fence, NULL);
		dma_fence_put(old);
	}
	list->max_fences = max(list->max_fences, new_num);
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
