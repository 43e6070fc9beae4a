/*
 * gpio: one line of a GPIO chip on this host through the kernel's GPIO character device. Only
 * gpio.c includes <gpiod.h> (libgpiod 1.6, Debian 12): a port to libgpiod 2 changes that file
 * alone.
 */
#ifndef RIG_GPIO_H
#define RIG_GPIO_H

#include <stddef.h>

#define GPIO_NAME	64

/* A line as the kernel describes it at the moment it was asked. */
struct gpio_info {
	char	 chip[GPIO_NAME];	/* the chip's name: "gpiochip3" */
	char	 label[GPIO_NAME];	/* the chip's label: "209c000.gpio" */
	unsigned nlines;		/* lines on the chip */
	unsigned offset;
	char	 name[GPIO_NAME];	/* the line's name; "" when the chip names none */
	char	 consumer[GPIO_NAME];	/* who holds it; "" when free or the holder gave none */
	int	 used;			/* requested: by a program or a kernel driver */
	int	 output;
	int	 active_low;
};

/*
 * chip: a path ("/dev/gpiochip3"), a name ("gpiochip3") or a label ("209c000.gpio"); line: an
 * offset ("17") or a line name. What the kernel says of that line, without requesting it. 0, or
 * -1 with err naming the chip and line (errno ENOENT: no such chip or line).
 */
int gpio_lookup(const char *chip, const char *line, struct gpio_info *info, char *err,
    size_t errlen);

/* A line this process holds as an output (opaque). */
struct gpio_line;

/*
 * Requests the line as an output for consumer, at the logical value from the moment it is
 * granted (active_low: the physical level is the inverse). Held until gpio_release: nobody else
 * can request it meanwhile. NULL with err; errno EBUSY when another holds it, and then
 * info->consumer is who, when the kernel says (info is filled whenever the line was found).
 */
struct gpio_line *gpio_request_output(const char *chip, const char *line, const char *consumer,
    int active_low, int value, struct gpio_info *info, char *err, size_t errlen);
/* Drives the logical value. 0, or -1 with err. */
int gpio_set(struct gpio_line *l, int value, char *err, size_t errlen);
/* The logical value as the kernel reads it back: 0, 1, or -1 with err. */
int gpio_get(struct gpio_line *l, char *err, size_t errlen);
/* Gives the line back (the kernel keeps its level and direction) and closes the chip. */
void gpio_release(struct gpio_line *l);

/* The line for messages: gpiochip3 [209c000.gpio] line 17 ("PWR_EN"). */
void gpio_describe(const struct gpio_info *info, char *buf, size_t len);

#endif
