/* UDS-style (ISO 14229) diagnostic request handler. Transport-agnostic:
 * takes one complete request, produces one complete response. */
#ifndef TCU_DIAG_H
#define TCU_DIAG_H

#include <stddef.h>
#include <stdint.h>

#include "ecu.h"

#define DIAG_MAX_RESP 64u

/* Negative response codes. */
#define NRC_SERVICE_NOT_SUPPORTED     0x11u
#define NRC_SUBFUNCTION_NOT_SUPPORTED 0x12u
#define NRC_INCORRECT_LENGTH          0x13u
#define NRC_REQUEST_OUT_OF_RANGE      0x31u
#define NRC_NOT_IN_ACTIVE_SESSION     0x7Fu

void diag_init(ecu_t *ecu);

/* Returns the response length; 0 means no response (suppressed or resp_cap
 * below DIAG_MAX_RESP). */
size_t diag_handle(const uint8_t *req, size_t len, uint8_t *resp, size_t resp_cap);

#endif
