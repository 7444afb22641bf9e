"""Finding the card in a KTP photo and straightening it for Tesseract (enrollment/ktp_reading.py)."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

# The images here are small: OpenCV's own thread pool would only compete with the web workers and
# Tesseract for the server's two cores.
cv2.setNumThreads(1)

# The card straightened to 85.6 × 54 mm at about 14 px/mm: the fields' letters end up about
# 25 px tall, where Tesseract reads best.
CARD_W, CARD_H = 1200, 756
# Width over height of a card seen at an angle: 1.59 flat, less or more in perspective.
CARD_ASPECT_MIN, CARD_ASPECT_MAX = 1.25, 2.0


def straightened_card(photo: Image.Image) -> Image.Image:
    """The card cut out, flat and upright, in grey with the light evened out; the whole photo,
    levelled, when no card's edge can be found (a scan, or a card filling the frame)."""
    grey = cv2.cvtColor(np.asarray(photo), cv2.COLOR_RGB2GRAY)
    corners = _card_corners(grey)
    if corners is None:
        flat = grey
    else:
        target = np.array([[0, 0], [CARD_W, 0], [CARD_W, CARD_H], [0, CARD_H]], dtype=np.float32)
        matrix = cv2.getPerspectiveTransform(corners, target)
        flat = cv2.warpPerspective(grey, matrix, (CARD_W, CARD_H), flags=cv2.INTER_CUBIC)
    return Image.fromarray(_even_light(flat))


def _card_corners(grey: np.ndarray) -> np.ndarray | None:
    scale = 800 / max(grey.shape)
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    blurred = cv2.GaussianBlur(small, (7, 7), 0)
    area = small.shape[0] * small.shape[1]
    # A light card on a darker table (Otsu), or any card whose edge shows (Canny).
    _, bright = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    edges = cv2.dilate(cv2.Canny(blurred, 30, 90), np.ones((5, 5), np.uint8))
    best, best_area = None, 0.0
    for mask in (bright, edges):
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:2]:
            quad = _quadrilateral(contour)
            quad_area = cv2.contourArea(quad)
            # A card's outline fills its four corners and has a card's shape; a patterned table
            # caught with it does neither.
            if (
                0.15 * area < quad_area < 0.98 * area
                and cv2.contourArea(contour) > 0.93 * quad_area
                and _card_shaped(quad.reshape(4, 2).astype(np.float32))
                and quad_area > best_area
            ):
                best, best_area = quad, quad_area
    if best is None:
        return None
    return _ordered(best.reshape(4, 2).astype(np.float32) / scale)


def _card_shaped(points: np.ndarray) -> bool:
    ordered = _ordered(points)
    sides = [np.linalg.norm(ordered[(i + 1) % 4] - ordered[i]) for i in range(4)]
    ratio = (sides[0] + sides[2]) / max(1.0, sides[1] + sides[3])
    return CARD_ASPECT_MIN <= ratio <= CARD_ASPECT_MAX


def _quadrilateral(contour: np.ndarray) -> np.ndarray | None:
    hull = cv2.convexHull(contour)
    perimeter = cv2.arcLength(hull, True)
    for epsilon in (0.02, 0.04, 0.06):
        approx = cv2.approxPolyDP(hull, epsilon * perimeter, True)
        if len(approx) == 4:
            return approx
    # Rounded corners or a finger over one: the tightest rotated rectangle instead.
    return cv2.boxPoints(cv2.minAreaRect(hull)).reshape(4, 1, 2).astype(np.int32)


def _ordered(points: np.ndarray) -> np.ndarray:
    """Top-left, top-right, bottom-right, bottom-left; the card's long side is its width."""
    centre = points.mean(axis=0)
    angles = np.arctan2(points[:, 1] - centre[1], points[:, 0] - centre[0])
    points = points[np.argsort(angles)]  # clockwise on screen, starting from the left-most angle
    start = int(np.argmin(points.sum(axis=1)))
    points = np.roll(points, -start, axis=0)
    top, side = np.linalg.norm(points[1] - points[0]), np.linalg.norm(points[3] - points[0])
    if side > top:  # a card held in portrait: its top edge is the left one
        points = np.roll(points, 1, axis=0)
    return points.astype(np.float32)


def _even_light(grey: np.ndarray) -> np.ndarray:
    """Divide by the page's own brightness, so a shadow or a lamp leaves the letters as dark as elsewhere."""
    background = cv2.morphologyEx(grey, cv2.MORPH_CLOSE, np.ones((25, 25), np.uint8))
    background = cv2.GaussianBlur(background, (0, 0), 9)
    flat = cv2.divide(grey, background, scale=255)
    return cv2.normalize(flat, None, 0, 255, cv2.NORM_MINMAX)
