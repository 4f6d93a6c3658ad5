"""Plausible Chinese personal names and street addresses for generated data."""

from __future__ import annotations

import random

# Common surnames, weighted roughly by frequency in Zhejiang.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
    "傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严覃武洪倪"
)
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉晨浩宇欣怡梓涵子轩一诺雨萱思远嘉"
    "佳俊博睿泽宸昊然铭轩依诺可馨若曦梦瑶晓雪海燕春梅志伟国庆永福建平丽君雅婷欣妍"
)
ROADS = (
    "光南路",
    "宗泽北路",
    "李渔路",
    "金港大道",
    "东湄路",
    "丹溪东路",
    "多湖路",
    "澧浦大道",
    "孝顺大街",
    "傅村路",
    "曹宅大街",
    "岭下路",
    "江东路",
    "塘雅路",
    "赤松路",
    "源东路",
    "东市北街",
    "世贸大道",
    "金瓯路",
    "环城东路",
    "八一南街",
    "鞋塘路",
    "康济北街",
    "新兴街",
)


def person_name(rng: random.Random) -> str:
    surname = rng.choice(SURNAMES)
    given = rng.choice(GIVEN_CHARS)
    if rng.random() < 0.75:
        given += rng.choice(GIVEN_CHARS)
    return surname + given


def street_address(rng: random.Random, locality: str) -> str:
    return f"{locality}{rng.choice(ROADS)}{rng.randint(1, 999)}号"
