#include "diag.h"

#include <string.h>

#include "calib.h"
#include "log.h"
#include "version.h"

#define SESSION_DEFAULT  0x01u
#define SESSION_EXTENDED 0x03u
#define SUPPRESS_POS_RSP 0x80u
#define ECU_SERIAL       "TCU-0001234"

/* Handlers write a complete positive response and return its length,
 * 0 to suppress it, or -NRC to reject the request. */
typedef int (*svc_fn)(const uint8_t *req, size_t len, uint8_t *resp);

struct diag_service {
    uint8_t sid;
    uint8_t min_len;       /* including the SID byte */
    uint8_t extended_only; /* writes state: not allowed in the default session */
    svc_fn  fn;
};

struct did_entry {
    uint16_t did;
    size_t (*read)(uint8_t *out);
};

static ecu_t *ecu;
static uint8_t session = SESSION_DEFAULT;

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    put_be16(p, (uint16_t)(v >> 16));
    put_be16(p + 2, (uint16_t)v);
}

/* --- data identifiers (service 0x22) --- */

static size_t did_sw_version(uint8_t *out)
{
    memcpy(out, FW_VERSION, sizeof FW_VERSION - 1);
    return sizeof FW_VERSION - 1;
}

static size_t did_serial(uint8_t *out)
{
    memcpy(out, ECU_SERIAL, sizeof ECU_SERIAL - 1);
    return sizeof ECU_SERIAL - 1;
}

static size_t did_state(uint8_t *out)
{
    out[0] = (uint8_t)ecu->state;
    return 1;
}

static size_t did_speed(uint8_t *out)
{
    put_be16(out, ecu->sig.speed_kph_x100);
    return 2;
}

static size_t did_trip_m(uint8_t *out)
{
    put_be32(out, (uint32_t)(ecu->distance_um / 1000000u));
    return 4;
}

static size_t did_fuel_ml(uint8_t *out)
{
    put_be32(out, (uint32_t)(ecu->fuel_nl / 1000000u));
    return 4;
}

static size_t did_calib(uint8_t *out)
{
    put_be16(out, calib_hdr.revision);
    put_be32(out + 2, calib_hdr.crc32);
    return 6;
}

static size_t did_board_temp(uint8_t *out)
{
    put_be16(out, (uint16_t)ecu->sig.board_c_x10);
    return 2;
}

static const struct did_entry dids[] = {
    { 0xF195, did_sw_version },
    { 0xF18C, did_serial },
    { 0x0100, did_state },
    { 0x0101, did_speed },
    { 0x0102, did_trip_m },
    { 0x0103, did_fuel_ml },
    { 0x0104, did_calib },
    { 0x0105, did_board_temp },
};

/* --- services --- */

static int svc_session(const uint8_t *req, size_t len, uint8_t *resp)
{
    uint8_t sub = req[1] & (uint8_t)~SUPPRESS_POS_RSP;

    if (len != 2)
        return -(int)NRC_INCORRECT_LENGTH;
    if (sub != SESSION_DEFAULT && sub != SESSION_EXTENDED)
        return -(int)NRC_SUBFUNCTION_NOT_SUPPORTED;
    session = sub;
    if (req[1] & SUPPRESS_POS_RSP)
        return 0;
    resp[0] = 0x50;
    resp[1] = sub;
    put_be16(resp + 2, 50);  /* P2 server max, ms */
    put_be16(resp + 4, 500); /* P2* server max, 10 ms units */
    return 6;
}

static int svc_reset(const uint8_t *req, size_t len, uint8_t *resp)
{
    if (len != 2)
        return -(int)NRC_INCORRECT_LENGTH;
    if (req[1] != 0x01) /* hard reset only */
        return -(int)NRC_SUBFUNCTION_NOT_SUPPORTED;
    ecu_reset(ecu);
    session = SESSION_DEFAULT;
    resp[0] = 0x51;
    resp[1] = req[1];
    return 2;
}

static int svc_clear_dtc(const uint8_t *req, size_t len, uint8_t *resp)
{
    uint32_t group;

    if (len != 4)
        return -(int)NRC_INCORRECT_LENGTH;
    group = (uint32_t)req[1] << 16 | (uint32_t)req[2] << 8 | req[3];
    if (group != 0xFFFFFFu) /* only "all groups" is supported */
        return -(int)NRC_REQUEST_OUT_OF_RANGE;
    ecu_clear_dtcs(ecu);
    resp[0] = 0x54;
    return 1;
}

static int svc_read_did(const uint8_t *req, size_t len, uint8_t *resp)
{
    uint16_t did;

    if (len != 3) /* one DID per request keeps responses in one buffer */
        return -(int)NRC_INCORRECT_LENGTH;
    did = (uint16_t)(req[1] << 8 | req[2]);
    for (size_t i = 0; i < sizeof dids / sizeof dids[0]; i++) {
        if (dids[i].did == did) {
            resp[0] = 0x62;
            put_be16(resp + 1, did);
            return 3 + (int)dids[i].read(resp + 3);
        }
    }
    return -(int)NRC_REQUEST_OUT_OF_RANGE;
}

static int svc_tester_present(const uint8_t *req, size_t len, uint8_t *resp)
{
    if (len != 2)
        return -(int)NRC_INCORRECT_LENGTH;
    if ((req[1] & (uint8_t)~SUPPRESS_POS_RSP) != 0)
        return -(int)NRC_SUBFUNCTION_NOT_SUPPORTED;
    if (req[1] & SUPPRESS_POS_RSP)
        return 0;
    resp[0] = 0x7E;
    resp[1] = 0x00;
    return 2;
}

static const struct diag_service services[] = {
    { 0x10, 2, 0, svc_session },
    { 0x11, 2, 1, svc_reset },
    { 0x14, 4, 1, svc_clear_dtc },
    { 0x22, 3, 0, svc_read_did },
    { 0x3E, 2, 0, svc_tester_present },
};

void diag_init(ecu_t *e)
{
    ecu = e;
    session = SESSION_DEFAULT;
}

size_t diag_handle(const uint8_t *req, size_t len, uint8_t *resp, size_t resp_cap)
{
    const struct diag_service *svc = NULL;
    int rc;

    if (len == 0 || resp_cap < DIAG_MAX_RESP)
        return 0;
    for (size_t i = 0; i < sizeof services / sizeof services[0]; i++)
        if (services[i].sid == req[0])
            svc = &services[i];

    if (!svc)
        rc = -(int)NRC_SERVICE_NOT_SUPPORTED;
    else if (len < svc->min_len)
        rc = -(int)NRC_INCORRECT_LENGTH;
    else if (svc->extended_only && session != SESSION_EXTENDED)
        rc = -(int)NRC_NOT_IN_ACTIVE_SESSION;
    else
        rc = svc->fn(req, len, resp);

    log_event(rc < 0 ? LOG_WARN : LOG_DEBUG, LOG_DIAG,
              (uint32_t)req[0] << 8 | (uint32_t)(rc < 0 ? -rc : 0));
    if (rc >= 0)
        return (size_t)rc;
    resp[0] = 0x7F;
    resp[1] = req[0];
    resp[2] = (uint8_t)-rc;
    return 3;
}
