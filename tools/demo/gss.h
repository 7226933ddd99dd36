/* SPDX-License-Identifier: GPL-2.0 */
/* MIT GSSAPI helpers of the Kerberos act's service and back end. */
#ifndef SECMSG_DEMO_GSS_H
#define SECMSG_DEMO_GSS_H

#include <stddef.h>

#include <gssapi/gssapi.h>

/* GSSAPI's words for a failure into @buf: the mechanism's if it has some. */
void gss_why(OM_uint32 major, OM_uint32 minor, char *buf, size_t len);

#endif
