/* Table-driven checksums used on the CAN bridge link and for calibration
 * data integrity. */
#ifndef TCU_CRC_H
#define TCU_CRC_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32 (IEEE 802.3, reflected). Chainable: pass the previous result as
 * `crc` to continue over another buffer; start from 0. */
uint32_t crc32_update(uint32_t crc, const void *data, size_t len);
uint32_t crc32(const void *data, size_t len);

/* CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no xorout. */
uint16_t crc16_ccitt(const void *data, size_t len);

#endif
