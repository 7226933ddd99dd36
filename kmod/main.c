// SPDX-License-Identifier: GPL-2.0
/*
 * secmsg: SSPI-style message protection with keys held by the kernel.
 *
 * Module init and exit, the /dev/secmsg misc device and the module
 * parameters.  The kernel-user contract is uapi/linux/secmsg.h.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/uaccess.h>

#include "context.h"
#include "krb5.h"
#include "replay.h"
#include "impersonate.h"
#include "local.h"
#include "message.h"
#include "netlink.h"

#ifndef SECMSG_RELEASE
#error "no release: the first line of VERSION (beside kmod/) must be one, like 1.5.0"
#endif

unsigned int secmsg_max_contexts_per_user = 1024;
module_param_named(max_contexts_per_user, secmsg_max_contexts_per_user,
		   uint, 0644);
MODULE_PARM_DESC(max_contexts_per_user,
		 "Contexts each user may hold (default 1024)");

unsigned int secmsg_default_lifetime = 36000;
module_param_named(default_lifetime, secmsg_default_lifetime, uint, 0644);
MODULE_PARM_DESC(default_lifetime,
		 "Lifetime in seconds of a context imported with none (default 36000)");

unsigned int secmsg_max_lifetime = 7 * 24 * 3600;
module_param_named(max_lifetime, secmsg_max_lifetime, uint, 0644);
MODULE_PARM_DESC(max_lifetime,
		 "Longest context lifetime in seconds (default 604800)");

unsigned int secmsg_replay_window = SECMSG_REPLAY_WINDOW;

/* The window size parameter: checked as CONFIG_SET checks it. */
static int secmsg_replay_window_set(const char *val,
				    const struct kernel_param *kp)
{
	unsigned int size;
	int err;

	err = kstrtouint(val, 0, &size);
	if (err)
		return err;
	if (!secmsg_replay_size_valid(size))
		return -EINVAL;
	WRITE_ONCE(secmsg_replay_window, size);
	return 0;
}

static const struct kernel_param_ops secmsg_replay_window_ops = {
	.set = secmsg_replay_window_set,
	.get = param_get_uint,
};

module_param_cb(replay_window, &secmsg_replay_window_ops,
		&secmsg_replay_window, 0644);
MODULE_PARM_DESC(replay_window,
		 "Receive window of new contexts, in messages: a power of two, 64..4096 (default 1024)");

static bool secmsg_krb5_selftest_on;

/*
 * Setting krb5_selftest runs the Kerberos crypto known-answer tests: at
 * load (a failure fails the load) or later, by root, through sysfs (a
 * failure fails the write).  It reads Y once they passed.
 */
static int secmsg_krb5_selftest_set(const char *val,
				    const struct kernel_param *kp)
{
	bool on;
	int err;

	err = kstrtobool(val, &on);
	if (err)
		return err;
	if (on) {
		err = secmsg_krb5_selftest();
		if (err)
			return err;
	}
	WRITE_ONCE(secmsg_krb5_selftest_on, on);
	return 0;
}

static const struct kernel_param_ops secmsg_krb5_selftest_ops = {
	.set = secmsg_krb5_selftest_set,
	.get = param_get_bool,
};

module_param_cb(krb5_selftest, &secmsg_krb5_selftest_ops,
		&secmsg_krb5_selftest_on, 0644);
MODULE_PARM_DESC(krb5_selftest,
		 "Set to run the Kerberos crypto known-answer tests (at load: a failure fails the load); Y once they passed");

/**
 * secmsg_copy_struct() - read an extensible uapi struct
 * @dst:      kernel copy, @ksize bytes
 * @ksize:    the struct as this module knows it
 * @src:      user struct whose first field is its __u32 size
 * @min_size: its first published size (SECMSG_*_SIZE_VER0)
 * @usize:    out (may be NULL): the size the caller gave
 *
 * As clone3() and openat2(): smaller than the first version is EINVAL,
 * larger than a page E2BIG, and bytes this module does not know must be
 * zero (E2BIG otherwise); bytes the caller did not give are zeroed.
 *
 * Return: 0 or a negative errno.
 */
int secmsg_copy_struct(void *dst, size_t ksize, const void __user *src,
		       u32 min_size, u32 *usize)
{
	u32 size;

	if (get_user(size, (const u32 __user *)src))
		return -EFAULT;
	if (size < min_size)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	if (usize)
		*usize = size;
	return copy_struct_from_user(dst, ksize, src, size);
}

static long secmsg_dev_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (SECMSG_IOC_KEY(cmd)) {
	case SECMSG_IOC_KEY(SECMSG_IOC_IMPORT):
		return secmsg_ctx_import(uarg);
	case SECMSG_IOC_KEY(SECMSG_IOC_IMPORT_KRB5):
		return secmsg_krb5_import(uarg);
	case SECMSG_IOC_KEY(SECMSG_IOC_INIT):
		return secmsg_local_isc(uarg);
	case SECMSG_IOC_KEY(SECMSG_IOC_ACCEPT):
		return secmsg_local_asc(uarg);
	case SECMSG_IOC_KEY(SECMSG_IOC_REVERT):
		return secmsg_revert(uarg);
	}
	return -ENOTTY;
}

static const struct file_operations secmsg_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = secmsg_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/*
 * A fixed minor (SECMSG_MISC_MINOR, uapi) so that the node can exist
 * before the module is loaded (modules.devname) and opening it loads the
 * module (char-major-10-MINOR), as for fuse and uhid.
 */
static struct miscdevice secmsg_dev = {
	.minor = SECMSG_MISC_MINOR,
	.name = "secmsg",
	.fops = &secmsg_dev_fops,
	.mode = 0666,
};

static int __init secmsg_init(void)
{
	int err;

	err = secmsg_local_init();
	if (err)
		return err;
	/* Before any context can exist: they send events. */
	err = secmsg_nl_init();
	if (err)
		goto err_local;
	err = misc_register(&secmsg_dev);
	if (err == -EBUSY)
		pr_err("secmsg: misc minor %d (char 10:%d) is taken by another driver; not loading\n",
		       SECMSG_MISC_MINOR, SECMSG_MISC_MINOR);
	if (err)
		goto err_nl;
	return 0;

err_nl:
	secmsg_nl_exit();
err_local:
	secmsg_local_exit();
	return err;
}

static void __exit secmsg_exit(void)
{
	misc_deregister(&secmsg_dev);
	secmsg_nl_exit();
	secmsg_msg_exit();
	secmsg_ctx_exit();
	secmsg_imp_exit();
	secmsg_local_exit();
}

module_init(secmsg_init);
module_exit(secmsg_exit);

MODULE_DESCRIPTION("secmsg: SSPI-style message protection with kernel-held keys");
MODULE_LICENSE("GPL");
MODULE_VERSION(SECMSG_RELEASE);
/* Autoload: opening char 10:SECMSG_MISC_MINOR, and udev's static node. */
MODULE_ALIAS_MISCDEV(SECMSG_MISC_MINOR);
MODULE_ALIAS("devname:secmsg");
