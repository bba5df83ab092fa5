/* CAN frame codec and receive dispatcher.
 *
 * Frames arrive from the CAN controller bridge as serialized records:
 *   [id:4, big-endian, bit 31 = extended][dlc:1][data:dlc][crc16:2, big-endian]
 * The CRC-16 covers id, dlc and data and guards the bridge link, which (unlike
 * the CAN bus itself) has no error detection. */
#ifndef TCU_CAN_H
#define TCU_CAN_H

#include <stddef.h>
#include <stdint.h>

#define CAN_MAX_DLC      8u
#define CAN_WIRE_HDR     5u
#define CAN_WIRE_CRC     2u
#define CAN_WIRE_MAX     (CAN_WIRE_HDR + CAN_MAX_DLC + CAN_WIRE_CRC)
#define CAN_ID_EXT_FLAG  0x80000000u
#define CAN_SFF_MASK     0x000007FFu
#define CAN_EFF_MASK     0x1FFFFFFFu
#define CAN_MAX_HANDLERS 16u

typedef struct {
    uint32_t id;  /* 11-bit or 29-bit identifier */
    uint8_t  ext; /* 1 = extended (29-bit) frame */
    uint8_t  dlc;
    uint8_t  data[CAN_MAX_DLC];
} can_frame_t;

typedef enum {
    CAN_OK            = 0,
    CAN_ERR_SHORT     = -1,
    CAN_ERR_DLC       = -2,
    CAN_ERR_CRC       = -3,
    CAN_ERR_ID        = -4,
    CAN_ERR_FULL      = -5,
    CAN_ERR_UNHANDLED = -6,
} can_status_t;

typedef void (*can_handler_fn)(const can_frame_t *f, void *ctx);

struct can_stats {
    uint32_t rx_ok;
    uint32_t rx_short;
    uint32_t rx_dlc;
    uint32_t rx_crc;
    uint32_t rx_id;
    uint32_t rx_unhandled;
    uint32_t tx;
};

void     can_init(void);
int      can_decode(const uint8_t *buf, size_t len, can_frame_t *f);
size_t   can_encode(const can_frame_t *f, uint8_t *buf, size_t cap);
int      can_register(uint32_t id, uint32_t mask, can_handler_fn fn, void *ctx);
int      can_receive(const uint8_t *buf, size_t len);
int      can_transmit(const can_frame_t *f);
void     can_get_stats(struct can_stats *out);
uint32_t can_rx_dropped(void);
uint32_t can_tx_digest(void);

#endif
