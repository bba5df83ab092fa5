#include "can.h"

#include <string.h>

#include "crc.h"
#include "log.h"

struct can_filter {
    uint32_t       id;
    uint32_t       mask;
    can_handler_fn fn;
    void          *ctx;
};

static struct can_filter filters[CAN_MAX_HANDLERS];
static size_t n_filters;
static struct can_stats stats;
/* Stands in for the TX mailbox: a running CRC of everything sent, so the
 * self-test can check the transmitted traffic without storing it. */
static uint32_t tx_digest;

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

void can_init(void)
{
    memset(filters, 0, sizeof filters);
    memset(&stats, 0, sizeof stats);
    n_filters = 0;
    tx_digest = 0;
}

int can_decode(const uint8_t *buf, size_t len, can_frame_t *f)
{
    uint32_t raw, id_mask;
    uint16_t crc;
    uint8_t dlc;

    if (len < CAN_WIRE_HDR + CAN_WIRE_CRC)
        return CAN_ERR_SHORT;

    /* Classic CAN carries at most 8 data bytes. */
    dlc = buf[4];
    if (dlc >= CAN_MAX_DLC)
        return CAN_ERR_DLC;
    if (len < CAN_WIRE_HDR + dlc + CAN_WIRE_CRC)
        return CAN_ERR_SHORT;

    crc = (uint16_t)(buf[CAN_WIRE_HDR + dlc] << 8 | buf[CAN_WIRE_HDR + dlc + 1]);
    if (crc != crc16_ccitt(buf, CAN_WIRE_HDR + dlc))
        return CAN_ERR_CRC;

    raw = get_be32(buf);
    f->ext = (raw & CAN_ID_EXT_FLAG) != 0;
    id_mask = f->ext ? CAN_EFF_MASK : CAN_SFF_MASK;
    if ((raw & ~CAN_ID_EXT_FLAG) & ~id_mask)
        return CAN_ERR_ID;

    f->id = raw & id_mask;
    f->dlc = dlc;
    memset(f->data, 0, sizeof f->data);
    memcpy(f->data, buf + CAN_WIRE_HDR, dlc);
    return CAN_OK;
}

size_t can_encode(const can_frame_t *f, uint8_t *buf, size_t cap)
{
    size_t n = CAN_WIRE_HDR + f->dlc;
    uint16_t crc;

    if (f->dlc > CAN_MAX_DLC || cap < n + CAN_WIRE_CRC)
        return 0;
    put_be32(buf, f->id | (f->ext ? CAN_ID_EXT_FLAG : 0));
    buf[4] = f->dlc;
    memcpy(buf + CAN_WIRE_HDR, f->data, f->dlc);
    crc = crc16_ccitt(buf, n);
    buf[n] = (uint8_t)(crc >> 8);
    buf[n + 1] = (uint8_t)crc;
    return n + CAN_WIRE_CRC;
}

/* First matching filter wins, so register specific ids before broad masks. */
int can_register(uint32_t id, uint32_t mask, can_handler_fn fn, void *ctx)
{
    if (n_filters == CAN_MAX_HANDLERS)
        return CAN_ERR_FULL;
    filters[n_filters++] = (struct can_filter){ id & mask, mask, fn, ctx };
    return CAN_OK;
}

static int dispatch(const can_frame_t *f)
{
    for (size_t i = 0; i < n_filters; i++) {
        if ((f->id & filters[i].mask) == filters[i].id) {
            filters[i].fn(f, filters[i].ctx);
            return CAN_OK;
        }
    }
    return CAN_ERR_UNHANDLED;
}

int can_receive(const uint8_t *buf, size_t len)
{
    can_frame_t f;
    int rc = can_decode(buf, len, &f);

    if (rc == CAN_OK)
        rc = dispatch(&f);

    switch (rc) {
    case CAN_OK:            stats.rx_ok++; return rc;
    case CAN_ERR_SHORT:     stats.rx_short++; break;
    case CAN_ERR_DLC:       stats.rx_dlc++; break;
    case CAN_ERR_CRC:       stats.rx_crc++; break;
    case CAN_ERR_ID:        stats.rx_id++; break;
    default:                stats.rx_unhandled++; break;
    }
    /* Unhandled ids are normal bus traffic; only log real errors. */
    if (rc != CAN_ERR_UNHANDLED)
        log_event(LOG_WARN, LOG_CAN_DROP, (uint32_t)-rc);
    return rc;
}

int can_transmit(const can_frame_t *f)
{
    uint8_t wire[CAN_WIRE_MAX];
    size_t n = can_encode(f, wire, sizeof wire);

    if (n == 0)
        return CAN_ERR_DLC;
    tx_digest = crc32_update(tx_digest, wire, n);
    stats.tx++;
    return CAN_OK;
}

void can_get_stats(struct can_stats *out)
{
    *out = stats;
}

uint32_t can_rx_dropped(void)
{
    return stats.rx_short + stats.rx_dlc + stats.rx_crc + stats.rx_id;
}

uint32_t can_tx_digest(void)
{
    return tx_digest;
}
