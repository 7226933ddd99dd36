// SPDX-License-Identifier: GPL-2.0
/* MIT GSSAPI helpers of the Kerberos act's service and back end (gss.h). */
#include <stdio.h>

#include <gssapi/gssapi_krb5.h>

#include "gss.h"

void gss_why(OM_uint32 major, OM_uint32 minor, char *buf, size_t len)
{
	gss_buffer_desc b = GSS_C_EMPTY_BUFFER;
	OM_uint32 ctx = 0, mn;

	if (minor)
		gss_display_status(&mn, minor, GSS_C_MECH_CODE,
				   (gss_OID)gss_mech_krb5, &ctx, &b);
	else
		gss_display_status(&mn, major, GSS_C_GSS_CODE, GSS_C_NO_OID,
				   &ctx, &b);
	snprintf(buf, len, "%.*s", (int)b.length, (char *)b.value);
	gss_release_buffer(&mn, &b);
}
