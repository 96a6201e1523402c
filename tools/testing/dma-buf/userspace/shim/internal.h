/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the files of the shim's runtime (this directory) share with each
 * other.  Small and obviously correct is the runtime's goal, not speed:
 * what runs fast here is the shared code itself.
 */
#ifndef SHIM_INTERNAL_H
#define SHIM_INTERNAL_H

#include <linux/kernel.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>

#include <pthread.h>

#include "../shim.h"

/* The calling thread's task, NULL until it first needs one (tasks.c). */
extern __thread struct task_struct *shim_this_task;
/* A new task named @name, for a thread to adopt. */
struct task_struct *shim_task_new(const char *name);
/* Makes @t the calling thread's task. */
void shim_task_adopt(struct task_struct *t);
/* Runs @fn on a detached thread of its own; a BUG if none can start. */
void shim_start_detached(void *(*fn)(void *unused));

#endif /* SHIM_INTERNAL_H */
